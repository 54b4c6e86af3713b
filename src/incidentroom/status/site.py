"""Render the public status site, and publish it as static files.

The same functions render the app's own ``/status/`` pages and the files written to
``STATUS_PUBLISH_DIR``, so what a web server or object store serves, apart from the
compromised estate, is byte for byte what the app shows. Only confirmed statuses and
published updates are read here; proposals are never touched.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import feedgenerator, timezone

from incidentroom.breach.models import PublicNotice
from incidentroom.core import audit, times
from incidentroom.core.models import Organisation
from incidentroom.core.text import printable
from incidentroom.estate.models import Service
from incidentroom.status.models import (
    Publication,
    PublicStatus,
    StatusPage,
    StatusUpdate,
    Subscriber,
)

logger = logging.getLogger(__name__)

# A service nobody has confirmed is neither working nor broken: residents are told that we do
# not know yet, never that it works. It is not a PublicStatus because no person ever sets it.
UNCONFIRMED = "unconfirmed"
UNCONFIRMED_LABEL = "Not yet confirmed"

# Worst first, so residents see what is broken before what works, and what nobody has
# checked before what someone has confirmed is fine.
STATUS_ORDER = {
    PublicStatus.UNAVAILABLE: 0,
    PublicStatus.DISRUPTED: 1,
    UNCONFIRMED: 2,
    PublicStatus.RESTORED: 3,
    PublicStatus.WORKING: 4,
}
UPDATES_SHOWN = 20
ASSETS = {"govuk-frontend.min.css": "govuk/govuk-frontend.min.css", "status.css": "status/status.css"}


@dataclass(frozen=True)
class ServiceRow:
    """One service as residents see it."""

    name: str
    status: str
    status_label: str
    advice: str
    changed_at: dt.datetime | None
    # Only the workaround comms published for residents (ServiceStatus.workaround), never the
    # continuity board's internal text.
    workaround: str = ""


@dataclass(frozen=True)
class UpdateRow:
    """One dated update."""

    id: int
    organisation_code: str
    organisation_name: str
    text: str
    published_at: dt.datetime


@dataclass(frozen=True)
class DataNotice:
    """The council's live public notice about personal data taken (UK GDPR Art 34(3)(c)).

    Only the notice's own published content is read: the DPO's approved resident wording
    and the fixed category labels, never the internal assessment.
    """

    title: str
    url: str
    people: int | None
    categories: list[str]
    updated_at: dt.datetime


@dataclass
class OrgView:
    """Everything public about one organisation."""

    code: str
    name: str
    headline: str
    help_text: str
    confirmed_at: dt.datetime | None = None
    # The council's incident helpline (Organisation.resident_helpline), apart from the
    # switchboard the attack may have taken down: residents with an unconfirmed service call it.
    helpline: str = ""
    services: list[ServiceRow] = field(default_factory=list)
    updates: list[UpdateRow] = field(default_factory=list)
    data_notices: list[DataNotice] = field(default_factory=list)

    @property
    def slug(self) -> str:
        """Folder and URL segment."""
        return self.code.lower()

    @property
    def problems(self) -> list[ServiceRow]:
        """Services confirmed as not working normally."""
        return [s for s in self.services if s.status in (PublicStatus.UNAVAILABLE, PublicStatus.DISRUPTED)]

    @property
    def unconfirmed(self) -> list[ServiceRow]:
        """Services whose state nobody has confirmed yet."""
        return [s for s in self.services if s.status == UNCONFIRMED]

    @property
    def all_confirmed_working(self) -> bool:
        """Every listed service has been confirmed as working or restored."""
        return bool(self.services) and all(
            s.status in (PublicStatus.WORKING, PublicStatus.RESTORED) for s in self.services
        )


def organisations(code: str | None = None) -> list[OrgView]:
    """Public view of every switched-on page (or one, by code), in three queries."""
    pages = StatusPage.objects.public().select_related("organisation").order_by("organisation__name")
    if code is not None:
        pages = pages.filter(organisation__code__iexact=code)
    views = {
        p.organisation_id: OrgView(
            code=p.organisation.code,
            name=printable(p.organisation.name),
            headline=printable(p.headline),
            help_text=printable(p.help_text),
            confirmed_at=p.updated_at if (p.headline or p.help_text) else None,
            helpline=printable(p.organisation.resident_helpline),
        )
        for p in pages
    }
    if not views:
        return []
    # Internal services (staff payroll, supplier payments) are the incident team's business.
    services = Service.objects.filter(organisation_id__in=list(views), public=True).select_related(
        "public_status"
    )
    for service in services:
        status = getattr(service, "public_status", None)
        views[service.organisation_id].services.append(
            ServiceRow(
                name=printable(service.name),
                status=status.status if status else UNCONFIRMED,
                status_label=PublicStatus(status.status).label if status else UNCONFIRMED_LABEL,
                advice=printable(status.advice) if status else "",
                changed_at=status.changed_at if status else None,
                workaround=printable(status.workaround) if status else "",
            )
        )
    for view in views.values():
        view.services.sort(key=lambda s: (STATUS_ORDER[s.status], s.name))
        # Confirming a service's status is confirming the page: "Last confirmed" above the
        # statement must never be older than a confirmation shown in the rows below it.
        if view.confirmed_at is not None:
            view.confirmed_at = max(
                [view.confirmed_at, *(s.changed_at for s in view.services if s.changed_at)]
            )
    _add_data_notices(views)
    updates = (
        StatusUpdate.objects.public()
        .filter(organisation_id__in=list(views))
        .select_related("organisation")
        .order_by("-published_at", "-id")
    )
    for org_id in views:
        for u in updates.filter(organisation_id=org_id)[:UPDATES_SHOWN]:
            views[org_id].updates.append(
                UpdateRow(
                    id=u.pk,
                    organisation_code=u.organisation.code,
                    organisation_name=printable(u.organisation.name),
                    text=printable(u.text),
                    published_at=u.published_at,
                )
            )
    return list(views.values())


def _add_data_notices(views: dict[int, OrgView]) -> None:
    """Residents reading the status page must learn that their data was taken, not only
    which services are down: each live public notice is named there and linked to."""
    notices = (
        PublicNotice.objects.filter(
            breach__organisation_id__in=list(views), published_at__isnull=False, withdrawn_at__isnull=True
        )
        .select_related("breach")
        .order_by("-published_at", "-id")
    )
    for notice in notices:
        content = notice.content if isinstance(notice.content, dict) else {}
        people = content.get("people")
        views[notice.breach.organisation_id].data_notices.append(
            DataNotice(
                title=printable(str(content.get("title") or notice.title)),
                # The status site may be served from elsewhere; the notice is the app's page.
                url=settings.SITE_URL.rstrip("/") + reverse("breach-public", args=[notice.slug]),
                people=people if isinstance(people, int) and people > 0 else None,
                categories=[
                    printable(str(c.get("label", "")))
                    for c in content.get("categories", [])
                    if isinstance(c, dict) and c.get("label")
                ],
                updated_at=notice.updated_at,
            )
        )


def _latest(orgs: list[OrgView]) -> list[UpdateRow]:
    merged = [u for o in orgs for u in o.updates]
    merged.sort(key=lambda u: (u.published_at, u.id), reverse=True)
    return merged[:UPDATES_SHOWN]


def _common() -> dict[str, object]:
    return {
        "subscribe_url": settings.STATUS_SUBSCRIBE_URL,
        "service_name": settings.STATUS_SITE_NAME,
    }


def render_group(orgs: list[OrgView] | None = None) -> str:
    """The group page: every council, worst news first."""
    orgs = organisations() if orgs is None else orgs
    return render_to_string(
        "status/public/group.html",
        {
            **_common(),
            "root": "",
            "orgs": orgs,
            "updates": _latest(orgs),
            "scope": Subscriber.ALL,
        },
    )


def render_org(org: OrgView) -> str:
    """One council's page."""
    return render_to_string(
        "status/public/org.html",
        {
            **_common(),
            "root": "../",
            "org": org,
            "updates": org.updates,
            "scope": org.code,
        },
    )


def render_accessibility() -> str:
    """The accessibility statement."""
    return render_to_string("status/public/accessibility.html", {**_common(), "root": "../"})


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def render_json(orgs: list[OrgView]) -> str:
    """Machine-readable status, for other sites and apps to reuse."""
    return json.dumps(
        {
            "organisations": [
                {
                    "code": o.code,
                    "name": o.name,
                    "headline": o.headline,
                    "help": o.help_text,
                    "helpline": o.helpline,
                    "confirmed_at": _iso(o.confirmed_at),
                    "personal_data_notices": [
                        {"title": n.title, "url": n.url, "updated_at": _iso(n.updated_at)}
                        for n in o.data_notices
                    ],
                    "services": [
                        {
                            "name": s.name,
                            "status": s.status,
                            "status_label": s.status_label,
                            "advice": s.advice,
                            "workaround": s.workaround,
                            "changed_at": _iso(s.changed_at),
                        }
                        for s in o.services
                    ],
                    "updates": [
                        {"id": u.id, "text": u.text, "published_at": _iso(u.published_at)} for u in o.updates
                    ],
                }
                for o in orgs
            ],
        },
        indent=2,
        ensure_ascii=False,
    )


def render_atom(orgs: list[OrgView], *, slug: str = "") -> str:
    """An Atom feed of dated updates (for one council when ``slug`` is given)."""
    base = settings.STATUS_PUBLIC_URL.rstrip("/") + "/"
    page_url = base + (f"{slug}/" if slug else "")
    title = f"{orgs[0].name} service status" if slug and orgs else f"{settings.STATUS_SITE_NAME}"
    feed = feedgenerator.Atom1Feed(
        title=title,
        link=page_url,
        description="Service status updates",
        language="en-GB",
        feed_url=page_url + "feed.atom",
    )
    for u in orgs[0].updates if slug and orgs else _latest(orgs):
        first_line = u.text.splitlines()[0] if u.text else ""
        feed.add_item(
            title=f"{u.organisation_code}: {first_line[:120]}",
            link=base + f"{u.organisation_code.lower()}/#update-{u.id}",
            # Feed readers show pubdate in their own zone, or none: the text states UK time.
            description=f"{times.uk_time(u.published_at)}\n\n{u.text}",
            unique_id=f"{base}updates/{u.id}",
            pubdate=u.published_at,
            updateddate=u.published_at,
            author_name=u.organisation_name,
        )
    return feed.writeString("utf-8")


def asset_bytes(name: str) -> bytes | None:
    """One of the site's own assets (CSS), or None for any other name."""
    source = ASSETS.get(name)
    found = finders.find(source) if source else None
    if not found or isinstance(found, list):
        return None
    return Path(found).read_bytes()


def _group_files(orgs: list[OrgView]) -> dict[str, bytes]:
    files: dict[str, bytes] = {
        "index.html": render_group(orgs).encode(),
        "status.json": render_json(orgs).encode(),
        "feed.atom": render_atom(orgs).encode(),
        "accessibility/index.html": render_accessibility().encode(),
    }
    for name in ASSETS:
        data = asset_bytes(name)
        if data is not None:
            files[f"assets/{name}"] = data
    return files


def _org_files(org: OrgView) -> dict[str, bytes]:
    return {
        f"{org.slug}/index.html": render_org(org).encode(),
        f"{org.slug}/status.json": render_json([org]).encode(),
        f"{org.slug}/feed.atom": render_atom([org], slug=org.slug).encode(),
    }


def parts(orgs: list[OrgView] | None = None) -> dict[str, Callable[[], dict[str, bytes]]]:
    """The site's parts by scope ('all' for the group files, else a council's code), each
    rendered on its own so one part's failure leaves the others untouched."""
    orgs = organisations() if orgs is None else orgs
    found: dict[str, Callable[[], dict[str, bytes]]] = {Publication.GROUP: lambda: _group_files(orgs)}
    for org in orgs:
        found[org.code] = lambda org=org: _org_files(org)  # type: ignore[misc]
    return found


def build() -> dict[str, bytes]:
    """Every file of the static site, by relative path."""
    files: dict[str, bytes] = {}
    for render in parts().values():
        files.update(render())
    return files


# When this thread last started writing the site (monotonic ns). A publish in this thread
# reads through this thread's own connection, so it includes every change made before it.
_local = threading.local()


def schedule_publish() -> None:
    """Write the static site once the current transaction commits.

    Confirming twenty proposals in one go, or loading a scenario with seventy services,
    schedules twenty or seventy of these; the first to run after the commit writes the site
    and the rest see that a publish has started since they were scheduled, and do nothing.
    """
    scheduled = time.monotonic_ns()

    def run() -> None:
        if getattr(_local, "started", -1) > scheduled:
            return
        publish_quietly()

    transaction.on_commit(run)


def publish_dir() -> Path:
    """Where the static site is written."""
    return Path(settings.STATUS_PUBLISH_DIR)


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    # Two workers publishing at once must not interleave files from different states.
    with open(directory / ".publish.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_atomically(path: Path, data: bytes) -> None:
    # Write beside the target then rename: a web server never serves half a file.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass
class PublishReport:
    """What one publish wrote, and which parts failed (scope -> reason)."""

    directory: Path
    written: list[str] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)


# Retries of a failing part: 1, 2, 4 ... minutes apart, at most an hour, for about a day.
RETRY_LIMIT = 30


def _retry_delay(failures: int) -> dt.timedelta:
    return dt.timedelta(minutes=min(2 ** max(failures - 1, 0), 60))


def _record(scope: str, error: BaseException | None, *, record_state: bool) -> dt.datetime | None:
    """Note how a part's write went; when a retry should run, if one is to be scheduled."""
    if not record_state:
        return None
    now = timezone.now()
    org = Organisation.objects.filter(code=scope).first() if scope != Publication.GROUP else None
    state, _ = Publication.objects.get_or_create(scope=scope, defaults={"organisation": org})
    if error is None:
        was_failing = state.failing
        state.last_success_at, state.error, state.failures, state.retry_at = now, "", 0, None
        state.save()
        if was_failing:
            audit.record(
                actor=None,
                action="status.publish_recovered",
                obj=state,
                after={"scope": scope},
                organisations=[org] if org else [],
            )
        return None
    reason = printable(f"{type(error).__name__}: {error}")[:2000]
    state.failures += 1
    state.last_failure_at, state.error = now, reason
    schedule = state.failures <= RETRY_LIMIT and (state.retry_at is None or state.retry_at <= now)
    if schedule:
        state.retry_at = now + _retry_delay(state.failures)
    state.save()
    audit.record(
        actor=None,
        action="status.publish_failed",
        obj=state,
        after={"scope": scope, "error": reason, "failures": state.failures},
        organisations=[org] if org else [],
    )
    return state.retry_at if schedule else None


def _schedule_retry(when: dt.datetime) -> None:
    from incidentroom.status import tasks

    if not tasks.publish_site.get_backend().supports_defer:
        # A backend that runs tasks at once (tests) would retry now and fail the same way.
        logger.warning("The task backend cannot defer; the failed status publish is not retried")
        return
    tasks.publish_site.using(run_after=when).enqueue()


def publish(directory: Path | None = None) -> PublishReport:
    """Write the site to ``directory`` (default ``STATUS_PUBLISH_DIR``), part by part.

    A part that fails (a render error, a folder that cannot be written) is logged, recorded
    for the comms page, audited and retried by the worker; the other parts are written all
    the same, so one council's failure never stops another's page.
    """
    _local.started = time.monotonic_ns()
    target = directory or publish_dir()
    # Only the configured site's state is shown to comms; a copy written elsewhere is not it.
    record_state = directory is None or Path(directory) == publish_dir()
    report = PublishReport(directory=target)
    target.mkdir(parents=True, exist_ok=True)
    retries: list[dt.datetime] = []
    with _locked(target):
        orgs = organisations()
        for scope, render in parts(orgs).items():
            try:
                files = render()
                for rel, data in files.items():
                    _write_atomically(target / rel, data)
            except Exception as exc:
                logger.exception("Publishing the status site's %s part to %s failed", scope, target)
                report.failures[scope] = printable(f"{type(exc).__name__}: {exc}")
                when = _record(scope, exc, record_state=record_state)
                if when is not None:
                    retries.append(when)
                continue
            report.written.extend(files)
            _record(scope, None, record_state=record_state)
        live = {o.slug for o in orgs}
        # A page switched off must disappear from the copy too, not linger with old news.
        for child in target.iterdir():
            if child.is_dir() and (child / "status.json").exists() and child.name not in live:
                for name in ("index.html", "status.json", "feed.atom"):
                    (child / name).unlink(missing_ok=True)
                if not any(child.iterdir()):
                    child.rmdir()
        _write_atomically(
            target / "published.json",
            json.dumps(
                {
                    "published_at": timezone.now().isoformat(),
                    "files": sorted(report.written),
                    "failed": sorted(report.failures),
                }
            ).encode(),
        )
    if retries:
        _schedule_retry(min(retries))
    return report


def publish_quietly() -> None:
    """Publish after a commit; a failure is logged, audited, shown on the comms page and
    retried, not raised (the change itself is committed and succeeded)."""
    try:
        publish()
    except Exception:
        # Failures outside any one part (the folder itself cannot be created): the retry
        # task and the comms page still need to know.
        logger.exception("Publishing the status site to %s failed", publish_dir())
        try:
            when = _record(
                Publication.GROUP, RuntimeError(f"cannot write {publish_dir()}"), record_state=True
            )
            if when is not None:
                _schedule_retry(when)
        except Exception:
            logger.exception("Recording the failed publish failed too")


def failing_parts() -> list[Publication]:
    """Parts of the static site whose last write failed."""
    return list(Publication.objects.filter(failures__gt=0).select_related("organisation"))


def last_published() -> dt.datetime | None:
    """When the static site was last written, or None."""
    marker = publish_dir() / "published.json"
    try:
        return dt.datetime.fromisoformat(json.loads(marker.read_text(encoding="utf-8"))["published_at"])
    except (OSError, ValueError, KeyError):
        return None


# The app's own /status/ serves the files publish() wrote, so a surge of residents costs one
# stat() per request and no database work at all. Kept in memory until the file changes.
_files: dict[Path, tuple[tuple[int, int, int], bytes]] = {}


def published_file(rel: str) -> bytes | None:
    """One file of the published site (``rel`` as built by :func:`build`), or None if absent.

    The first request on a fresh install writes the site; after that a missing file is a
    plain 404, so a request for an unknown page can never make the app render anything.
    """
    directory = publish_dir()
    path = directory / rel
    try:
        stat = path.stat()
    except FileNotFoundError:
        if (directory / "published.json").exists():
            return None
        publish(directory)
        try:
            stat = path.stat()
        except FileNotFoundError:
            return None
    # Every publish writes a new file and renames it into place: a new inode.
    version = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    hit = _files.get(path)
    if hit is not None and hit[0] == version:
        return hit[1]
    # The publisher only ever writes plain files inside the folder; a symlink planted there
    # (to /etc/passwd, or a folder elsewhere) is never served. Checked once per new version
    # of a file, never per request.
    if not path.resolve().is_relative_to(directory.resolve()):
        logger.warning("Not serving %s: it resolves outside the published folder", rel)
        return None
    data = path.read_bytes()
    _files[path] = (version, data)
    return data
