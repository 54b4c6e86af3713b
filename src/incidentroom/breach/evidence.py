"""Which folders a scan may read, whose evidence each one holds, and consent to shared ones.

Each organisation is a separate data controller, so its copy of the stolen data is its own:

* ``BREACH_SCAN_ROOTS`` lists *evidence folders*. A plain path is a parent folder with one
  sub-folder per organisation, named after its code in lower case (``var/evidence/rbkc``);
  ``CODE=/path`` ties a folder to one organisation, and ``CODE+CODE=/path`` to several
  (a shared root, for data held by a shared service).
* Uploads go to the attributed organisation's own upload area,
  ``MEDIA_ROOT/breach/uploads/<code>``.
* Parent folders (the plain paths, the upload area's parent, anything above a root) are
  refused: they hold several organisations' evidence at once.
* A scan for organisation X may read only X's roots, and a shared root only while every
  organisation owning it has an active :class:`SharedRootConsent` (given and withdrawn
  here, audited).

Paths are resolved before they are checked, so ``..`` and symbolic links are judged by
where they really lead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from incidentroom.breach.access import require_controller_role
from incidentroom.breach.models import SharedRootConsent
from incidentroom.core import audit
from incidentroom.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from incidentroom.core.models import Organisation

EVIDENCE = "evidence"
UPLOADS = "uploads"


@dataclass(frozen=True)
class EvidenceRoot:
    """A folder a scan may read, the organisations whose evidence it holds, and its kind."""

    path: Path
    owners: tuple[str, ...]
    kind: str = EVIDENCE

    @property
    def shared(self) -> bool:
        """Held for several organisations (scanned only with every owner's consent)."""
        return len(self.owners) > 1


def uploads_base() -> Path:
    """The parent of every organisation's upload area (under MEDIA_ROOT, never served)."""
    return (Path(settings.MEDIA_ROOT) / "breach" / "uploads").resolve()


def upload_area(organisation: Organisation) -> Path:
    """Where uploads attributed to ``organisation`` are kept."""
    return uploads_base() / folder_name(organisation.code)


def folder_name(code: str) -> str:
    """An organisation's folder under a parent evidence folder or the upload area."""
    return code.lower()


def _known_codes() -> dict[str, str]:
    return {code.lower(): code for code in Organisation.objects.values_list("code", flat=True)}


def parent_folders() -> list[Path]:
    """Folders holding several organisations' evidence: never scanned as a whole."""
    bases = [Path(e).expanduser().resolve() for e in settings.BREACH_SCAN_ROOTS if "=" not in e]
    return [*bases, uploads_base()]


def configured_roots() -> list[EvidenceRoot]:
    """Every root a scan may read, for any organisation, in the order ``BREACH_SCAN_ROOTS``
    lists them (a parent folder expands to one root per organisation, by code), then the
    upload areas."""
    codes = _known_codes()
    roots: list[EvidenceRoot] = []
    for entry in settings.BREACH_SCAN_ROOTS:
        if "=" in entry:
            owners_raw, _, raw_path = entry.partition("=")
            owners = sorted(
                {codes[c.strip().lower()] for c in owners_raw.split("+") if c.strip().lower() in codes}
            )
            if owners and raw_path.strip():
                roots.append(EvidenceRoot(Path(raw_path.strip()).expanduser().resolve(), tuple(owners)))
        else:
            base = Path(entry).expanduser().resolve()
            roots.extend(EvidenceRoot(base / folder_name(code), (code,)) for code in sorted(codes.values()))
    roots.extend(
        EvidenceRoot(uploads_base() / folder_name(code), (code,), UPLOADS) for code in sorted(codes.values())
    )
    return roots


def _depth(root: EvidenceRoot) -> int:
    return len(root.path.parts)


def all_roots() -> list[EvidenceRoot]:
    """Every root a scan may read, for any organisation, most specific first."""
    # A root configured inside another is the more specific: it decides who owns its files.
    return sorted(configured_roots(), key=_depth, reverse=True)


def roots_for_orgs(organisations: Iterable[Organisation]) -> list[EvidenceRoot]:
    """The roots owned (alone or shared) by any of ``organisations``."""
    codes = {o.code for o in organisations}
    return [r for r in all_roots() if codes & set(r.owners)]


def scan_roots(organisations: Iterable[Organisation], kind: str | None = None) -> list[EvidenceRoot]:
    """The roots owned (alone or shared) by any of ``organisations`` (only those of ``kind``
    if given), in the order people are shown them: the broadest folder first, and among
    folders equally deep the one configured later first, which is also the folder a relative
    path is read in (see :func:`check_source`)."""
    codes = {o.code for o in organisations}
    mine = [
        r for r in reversed(configured_roots()) if codes & set(r.owners) and (kind is None or r.kind == kind)
    ]
    return sorted(mine, key=_depth)


def locate(path: Path) -> EvidenceRoot | None:
    """The root holding ``path`` (already resolved), or None if it is in none."""
    for root in all_roots():
        if path == root.path or path.is_relative_to(root.path):
            return root
    return None


def consenting(root: EvidenceRoot) -> set[str]:
    """Codes of the owners of ``root`` whose consent to scanning it stands."""
    return set(
        SharedRootConsent.objects.filter(
            path=str(root.path), withdrawn_at__isnull=True, organisation__code__in=root.owners
        ).values_list("organisation__code", flat=True)
    )


def check_source_path(raw: str, organisation: Organisation) -> Path:
    """The resolved folder or archive, if a scan of ``organisation``'s data may read it
    (see :func:`check_source`)."""
    return check_source(raw, organisation)[0]


def check_source(raw: str, organisation: Organisation) -> tuple[Path, EvidenceRoot]:
    """The resolved folder or archive and its root, if a scan of ``organisation``'s data may
    read it.

    Refusals name the field ``path``: 422 for a path in no root (or a parent folder) or one
    that does not exist, 403 for another organisation's root or a shared root without
    every owner's consent. Ownership is checked before existence so that the answer never
    tells one council what is in another's folders.
    """
    text = (raw or "").strip()
    if not text:
        raise InvalidInput("Give the folder or archive to scan.", field="path")
    if "\x00" in text:
        raise InvalidInput("The path contains a NUL character.", field="path")
    given = Path(text).expanduser()
    if not given.is_absolute():
        # A relative path is read inside the organisation's own evidence folder.
        own = [r for r in scan_roots([organisation], EVIDENCE) if not r.shared]
        if not own:
            raise InvalidInput(f"{organisation.code} has no evidence folder; give a full path.", field="path")
        given = own[0].path / given
    try:
        path = given.resolve()
    except (OSError, RuntimeError, ValueError) as exc:  # a symlink loop, an unencodable name
        raise InvalidInput(f"{text} cannot be resolved: {exc}", field="path") from exc
    root = locate(path)
    if root is None:
        if any(path == p or p.is_relative_to(path) for p in parent_folders()):
            raise InvalidInput(
                f"{text} is a parent folder holding several organisations' evidence; choose a "
                f"folder inside {organisation.code}'s own ({_own_hint(organisation)}).",
                field="path",
            )
        if any(path.is_relative_to(p) for p in parent_folders()):
            raise InvalidInput(
                f"{text} is not in any organisation's folder; choose a folder inside "
                f"{organisation.code}'s own ({_own_hint(organisation)}).",
                field="path",
            )
        raise InvalidInput(
            f"{text} is outside the folders scans may read ({_own_hint(organisation)}).", field="path"
        )
    if organisation.code not in root.owners:
        raise Forbidden(
            f"{text} is another organisation's evidence; a scan of {organisation.code}'s data may read "
            f"only {organisation.code}'s folders ({_own_hint(organisation)}).",
            field="path",
        )
    if root.shared:
        missing = sorted(set(root.owners) - consenting(root))
        if missing:
            raise Forbidden(
                f"{text} is shared by {', '.join(root.owners)}; it can be scanned once every owner has "
                f"agreed (still to agree: {', '.join(missing)}).",
                field="path",
            )
    if not path.exists():
        raise InvalidInput(f"{text} does not exist on the server.", field="path")
    return path, root


def _own_hint(organisation: Organisation) -> str:
    own = [str(r.path) for r in scan_roots([organisation], EVIDENCE)]
    return " or ".join(own) if own else "none configured"


# -- consent to scanning a shared root ------------------------------------------------------


def _shared_root(raw: str) -> EvidenceRoot:
    text = (raw or "").strip()
    if not text or "\x00" in text:
        raise InvalidInput("Give the shared folder's path.", field="path")
    try:
        path = Path(text).expanduser().resolve()
    except (OSError, RuntimeError, ValueError) as exc:
        raise InvalidInput(f"{text} cannot be resolved: {exc}", field="path") from exc
    for root in all_roots():
        if root.path == path and root.shared:
            return root
    raise InvalidInput(f"{text} is not a shared evidence folder.", field="path")


def _owner(root: EvidenceRoot, organisation: Organisation, actor: Any, doing: str) -> None:
    if organisation.code not in root.owners:
        raise Forbidden(
            f"{organisation.code} does not own {root.path}; only its owners "
            f"({', '.join(root.owners)}) decide who scans it.",
            field="organisation",
        )


@transaction.atomic
def grant_root_consent(path: str, *, organisation: Organisation, actor: Any) -> SharedRootConsent:
    """Record that ``organisation`` agrees its co-owners may scan the shared root ``path``."""
    # Who may speak for the organisation is checked before anything about the folder.
    require_controller_role(actor, [organisation], "agree to scanning a shared evidence folder")
    root = _shared_root(path)
    _owner(root, organisation, actor, "agree to scanning this shared folder")
    if SharedRootConsent.objects.filter(
        path=str(root.path), organisation=organisation, withdrawn_at__isnull=True
    ).exists():
        raise Conflict(f"{organisation.code} has already agreed to scanning {root.path}.")
    try:
        with transaction.atomic():
            consent = SharedRootConsent.objects.create(
                path=str(root.path), organisation=organisation, granted_by=actor
            )
    except IntegrityError as exc:  # a concurrent grant won the race
        raise Conflict(f"{organisation.code} has already agreed to scanning {root.path}.") from exc
    audit.record(
        actor=actor,
        action="evidence.consent",
        obj=consent,
        after={"path": consent.path, "organisation": organisation.code, "owners": list(root.owners)},
        organisations=Organisation.objects.filter(code__in=root.owners),
    )
    return consent


@transaction.atomic
def withdraw_root_consent(path: str, *, organisation: Organisation, actor: Any) -> SharedRootConsent:
    """Withdraw ``organisation``'s consent: new scans of the shared root are refused from now
    on, and queued ones are refused when they start."""
    require_controller_role(actor, [organisation], "withdraw consent to scanning a shared evidence folder")
    root = _shared_root(path)
    _owner(root, organisation, actor, "withdraw consent to scanning this shared folder")
    consent = (
        SharedRootConsent.objects.select_for_update()
        .filter(path=str(root.path), organisation=organisation, withdrawn_at__isnull=True)
        .first()
    )
    if consent is None:
        raise NotFound(f"{organisation.code} has no consent to withdraw for {root.path}.")
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = actor
    consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
    audit.record(
        actor=actor,
        action="evidence.consent_withdrawn",
        obj=consent,
        before={"path": consent.path, "organisation": organisation.code, "active": True},
        after={"path": consent.path, "organisation": organisation.code, "active": False},
        organisations=Organisation.objects.filter(code__in=root.owners),
    )
    return consent
