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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import feedgenerator, timezone

from incidentroom.core import times
from incidentroom.estate.models import Service
from incidentroom.status.models import PublicStatus, StatusPage, StatusUpdate, Subscriber

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


@dataclass(frozen=True)
class UpdateRow:
    """One dated update."""

    id: int
    organisation_code: str
    organisation_name: str
    text: str
    published_at: dt.datetime


@dataclass
class OrgView:
    """Everything public about one organisation."""

    code: str
    name: str
    headline: str
    help_text: str
    confirmed_at: dt.datetime | None = None
    services: list[ServiceRow] = field(default_factory=list)
    updates: list[UpdateRow] = field(default_factory=list)

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
            name=p.organisation.name,
            headline=p.headline,
            help_text=p.help_text,
            confirmed_at=p.updated_at if (p.headline or p.help_text) else None,
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
                name=service.name,
                status=status.status if status else UNCONFIRMED,
                status_label=PublicStatus(status.status).label if status else UNCONFIRMED_LABEL,
                advice=status.advice if status else "",
                changed_at=status.changed_at if status else None,
            )
        )
    for view in views.values():
        view.services.sort(key=lambda s: (STATUS_ORDER[s.status], s.name))
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
                    organisation_name=u.organisation.name,
                    text=u.text,
                    published_at=u.published_at,
                )
            )
    return list(views.values())


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
                    "confirmed_at": _iso(o.confirmed_at),
                    "services": [
                        {
                            "name": s.name,
                            "status": s.status,
                            "status_label": s.status_label,
                            "advice": s.advice,
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


def build() -> dict[str, bytes]:
    """Every file of the static site, by relative path."""
    orgs = organisations()
    files: dict[str, bytes] = {
        "index.html": render_group(orgs).encode(),
        "status.json": render_json(orgs).encode(),
        "feed.atom": render_atom(orgs).encode(),
        "accessibility/index.html": render_accessibility().encode(),
    }
    for org in orgs:
        files[f"{org.slug}/index.html"] = render_org(org).encode()
        files[f"{org.slug}/status.json"] = render_json([org]).encode()
        files[f"{org.slug}/feed.atom"] = render_atom([org], slug=org.slug).encode()
    for name in ASSETS:
        data = asset_bytes(name)
        if data is not None:
            files[f"assets/{name}"] = data
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


def publish(directory: Path | None = None) -> Path:
    """Write the whole site to ``directory`` (default ``STATUS_PUBLISH_DIR``); returns it."""
    _local.started = time.monotonic_ns()
    target = directory or publish_dir()
    target.mkdir(parents=True, exist_ok=True)
    with _locked(target):
        files = build()
        for rel, data in files.items():
            _write_atomically(target / rel, data)
        # A page switched off must disappear from the copy too, not linger with old news.
        for child in target.iterdir():
            if (
                child.is_dir()
                and (child / "status.json").exists()
                and f"{child.name}/status.json" not in files
            ):
                for name in ("index.html", "status.json", "feed.atom"):
                    (child / name).unlink(missing_ok=True)
                if not any(child.iterdir()):
                    child.rmdir()
        _write_atomically(
            target / "published.json",
            json.dumps({"published_at": timezone.now().isoformat(), "files": sorted(files)}).encode(),
        )
    return target


def publish_quietly() -> None:
    """Publish after a commit; a failure is logged and shown on the comms page, not raised."""
    try:
        publish()
    except Exception:
        # The change is committed; raising here would show the comms officer an error for
        # a change that succeeded. The comms page shows when the site was last written.
        logger.exception("Publishing the status site to %s failed", publish_dir())


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
    data = path.read_bytes()
    _files[path] = (version, data)
    return data
