"""API: breaches, scans, individuals, reports, letters, emails and the public notice.

Every object is fetched through ``breach.queries`` (DPO/Gold of the controller only), so
anyone else gets 404 and nothing leaks through lists or counts.
"""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from incidentroom.breach import actions, downloads, queries
from incidentroom.breach.models import (
    Breach,
    EmailDelivery,
    EmailNotice,
    Individual,
    LetterBatch,
    PublicNotice,
    Report,
    ScanJob,
)
from incidentroom.breach.schemas import (
    AppearanceOut,
    BreachIn,
    BreachOut,
    BreachPatch,
    DeliveryOut,
    DiscardIn,
    DoNotContactIn,
    EmailNoticeIn,
    EmailNoticeOut,
    IndividualDetailOut,
    IndividualOut,
    LetterBatchOut,
    MergeIn,
    NotifiedIn,
    PeoplePage,
    PeopleQuery,
    PublicNoticeOut,
    ReportIn,
    ReportOut,
    ResolveIn,
    RisksIn,
    ScanIn,
    ScanOut,
    SplitIn,
    SubmitIn,
)
from incidentroom.core.bounds import Id
from incidentroom.core.errors import InvalidInput
from incidentroom.core.scoping import get_scoped
from incidentroom.incidents.queries import involved_organisation

router = Router(tags=["breach"])


# -- converters ----------------------------------------------------------------------------


def _breach_out(b: Breach) -> BreachOut:
    return BreachOut(
        id=b.pk,
        incident=b.incident.reference,
        organisation=b.organisation.code,
        description=b.description,
        data_sets=b.data_set_list(),
        occurred_at=b.occurred_at,
        became_aware_at=b.became_aware_at,
        discovery=b.discovery,
        cyber_incident=b.cyber_incident,
        confidentiality=b.confidentiality,
        integrity=b.integrity,
        availability=b.availability,
        people_categories=list(b.people_categories),
        likely_consequences=b.likely_consequences,
        measures_taken=b.measures_taken,
        measures_proposed=b.measures_proposed,
        delay_reason=b.delay_reason,
    )


def _scan_out(j: ScanJob) -> ScanOut:
    return ScanOut(
        id=j.pk,
        breach=j.breach_id,
        status=j.status,
        sources=[{k: str(v) for k, v in s.items()} for s in j.sources],
        files_done=j.files_done,
        files_total=j.files_total,
        bytes_done=j.bytes_done,
        bytes_total=j.bytes_total,
        percent=j.percent,
        cancel_requested=j.cancel_requested,
        error=j.error,
        individuals_imported=j.individuals_imported,
        files_by_status={str(k): int(v) for k, v in (j.manifest.get("by_status") or {}).items()},
        started_at=j.started_at,
        finished_at=j.finished_at,
    )


def _person_fields(p: Individual) -> dict[str, object]:
    return {
        "id": p.pk,
        "person_id": p.person_id,
        "full_name": p.full_name,
        "date_of_birth": p.date_of_birth,
        "address": p.address,
        "postcode": p.postcode,
        "email": p.email,
        "phone": p.phone,
        "categories": p.category_list(),
        "risk": p.risk,
        "document_count": p.document_count,
        "organisations": [o.code for o in p.organisations.all()],
        "contact_status": p.contact_status,
        "notified_at": p.notified_at,
        "notified_how": p.notified_how,
        "do_not_contact_reason": p.do_not_contact_reason,
        "deceased": p.deceased,
    }


def _person_detail(p: Individual) -> IndividualDetailOut:
    return IndividualDetailOut(
        **_person_fields(p),  # type: ignore[arg-type]
        appearances=[AppearanceOut(id=a.pk, path=a.path, location=a.location) for a in p.appearances.all()],
        merged_into=p.merged_into_id,
    )


def _report_out(r: Report) -> ReportOut:
    scan = r.facts.get("scan", {})
    return ReportOut(
        id=r.pk,
        breach=r.breach_id,
        kind=r.kind,
        version=r.version,
        follow_up=r.is_follow_up,
        created_at=r.created_at,
        submitted_at=r.submitted_at,
        external_reference=r.external_reference,
        # None when no scan had finished as the report was drafted: unknown, not zero.
        individuals=None if scan.get("individuals") is None else int(scan["individuals"]),
        categories=list(scan.get("categories", [])),
    )


def _batch_out(b: LetterBatch) -> LetterBatchOut:
    return LetterBatchOut(
        id=b.pk,
        breach=b.breach_id,
        risks=list(b.risks),
        letter_count=b.letter_count,
        without_address=b.without_address,
        status=b.status,
        created_at=b.created_at,
        files=list(downloads.BATCH_FILES),
    )


def _notice_out(n: EmailNotice) -> EmailNoticeOut:
    deliveries = [
        DeliveryOut(
            id=d.pk,
            individual=d.individual_id,
            address=d.address,
            status=d.status,
            attempts=d.attempts,
            sent_at=d.sent_at,
            last_error=d.last_error,
        )
        for d in n.deliveries.all()
    ]
    return EmailNoticeOut(
        id=n.pk,
        breach=n.breach_id,
        subject=n.subject,
        risks=list(n.risks),
        counts=n.counts(),
        deliveries=deliveries,
    )


def _public_out(request: HttpRequest, n: PublicNotice) -> PublicNoticeOut:
    return PublicNoticeOut(
        breach=n.breach_id,
        title=n.title,
        url=request.build_absolute_uri(f"/notices/{n.slug}/"),
        published_at=n.published_at,
        live=n.is_live,
    )


# -- breaches ------------------------------------------------------------------------------


@router.get("/incidents/{reference}/breaches", response=list[BreachOut])
def list_breaches(request: HttpRequest, reference: str) -> list[BreachOut]:
    """Breaches in an incident that you handle (DPO or Gold of the controller)."""
    incident = queries.incident_for(request.user, reference)
    qs = (
        Breach.objects.for_user(request.user)
        .filter(incident=incident)
        .select_related("incident", "organisation")
    )
    return [_breach_out(b) for b in qs]


@router.post("/incidents/{reference}/breaches", response={201: BreachOut})
def create_breach(request: HttpRequest, reference: str, payload: BreachIn) -> Status[BreachOut]:
    """Record a personal data breach for a controller; starts its ICO clock."""
    incident = queries.incident_for(request.user, reference)
    org = involved_organisation(incident, payload.organisation)
    details = payload.dict(exclude={"organisation", "description", "became_aware_at"})
    breach = actions.record_breach(
        incident,
        actor=request.user,
        organisation=org,
        description=payload.description,
        became_aware_at=payload.became_aware_at,
        **details,
    )
    return Status(201, _breach_out(breach))


@router.get("/breaches/{breach_id}", response=BreachOut)
def get_breach(request: HttpRequest, breach_id: Id) -> BreachOut:
    """One breach assessment."""
    return _breach_out(queries.breach_for(request.user, breach_id))


@router.patch("/breaches/{breach_id}", response=BreachOut)
def patch_breach(request: HttpRequest, breach_id: Id, payload: BreachPatch) -> BreachOut:
    """Change the assessment (a new awareness time moves the ICO clock)."""
    breach = queries.breach_for(request.user, breach_id)
    changes = payload.dict(exclude_unset=True)
    for name, value in changes.items():
        # null clears a field only where the assessment may leave it empty.
        nullable = {f.name: f.null for f in Breach._meta.concrete_fields}
        if value is None and not nullable.get(name, True):
            raise InvalidInput(f"{name} cannot be empty; leave it out to keep its value.", field=name)
    return _breach_out(actions.update_breach(breach, actor=request.user, **changes))


# -- scans ---------------------------------------------------------------------------------


@router.post("/breaches/{breach_id}/scans", response={202: ScanOut})
def start_scan(request: HttpRequest, breach_id: Id, payload: ScanIn) -> Status[ScanOut]:
    """Scan folders or archives already on the server (under the permitted evidence roots)."""
    breach = queries.breach_for(request.user, breach_id)
    sources = [
        actions.ScanSource(
            s.path, involved_organisation(breach.incident, s.organisation) if s.organisation else None
        )
        for s in payload.sources
    ]
    return Status(202, _scan_out(actions.start_scan(breach, actor=request.user, sources=sources)))


@router.post("/breaches/{breach_id}/scans/upload", response={202: ScanOut})
def upload_scan(
    request: HttpRequest, breach_id: Id, file: File[UploadedFile], organisation: Form[str] = ""
) -> Status[ScanOut]:
    """Upload an archive (zip, tar, 7z) of the stolen copy and scan it."""
    breach = queries.breach_for(request.user, breach_id)
    org = involved_organisation(breach.incident, organisation) if organisation else None
    job = actions.start_upload_scan(
        breach, actor=request.user, filename=file.name or "upload", chunks=file.chunks(), organisation=org
    )
    return Status(202, _scan_out(job))


@router.get("/breaches/{breach_id}/scans", response=list[ScanOut])
def list_scans(request: HttpRequest, breach_id: Id) -> list[ScanOut]:
    """Scans of a breach, newest first."""
    breach = queries.breach_for(request.user, breach_id)
    return [_scan_out(j) for j in breach.scans.all()]


@router.get("/scans/{scan_id}", response=ScanOut)
def get_scan(request: HttpRequest, scan_id: Id) -> ScanOut:
    """A scan's status and progress (poll this)."""
    return _scan_out(queries.scan_for(request.user, scan_id))


@router.post("/scans/{scan_id}/cancel", response=ScanOut)
def cancel_scan(request: HttpRequest, scan_id: Id) -> ScanOut:
    """Ask a scan to stop."""
    return _scan_out(actions.cancel_scan(queries.scan_for(request.user, scan_id), actor=request.user))


@router.post("/scans/{scan_id}/resume", response={202: ScanOut})
def resume_scan(request: HttpRequest, scan_id: Id) -> Status[ScanOut]:
    """Carry on a failed, cancelled or stalled scan from its checkpoints."""
    return Status(
        202, _scan_out(actions.resume_scan(queries.scan_for(request.user, scan_id), actor=request.user))
    )


@router.post("/scans/{scan_id}/discard", response=ScanOut)
def discard_scan(request: HttpRequest, scan_id: Id, payload: DiscardIn) -> ScanOut:
    """Stop counting a finished scan's people (rescanned, or the wrong folder)."""
    job = queries.scan_for(request.user, scan_id)
    return _scan_out(actions.discard_scan(job, actor=request.user, reason=payload.reason))


# -- individuals -----------------------------------------------------------------------------


@router.get("/breaches/{breach_id}/individuals", response=PeoplePage)
def list_individuals(request: HttpRequest, breach_id: Id, filters: Query[PeopleQuery]) -> PeoplePage:
    """Search and filter the people found (by category, risk, organisation, contact status)."""
    breach = queries.breach_for(request.user, breach_id)
    qs = queries.individuals_for(
        request.user,
        breach,
        queries.PeopleFilter(
            q=filters.q,
            category=filters.category,
            risk=filters.risk or "",
            organisation=filters.organisation,
            status=filters.status or "",
        ),
    )
    page = qs.prefetch_related("organisations").order_by("full_name", "id")[
        filters.offset : filters.offset + filters.limit
    ]
    return PeoplePage(count=qs.count(), items=[IndividualOut(**_person_fields(p)) for p in page])  # type: ignore[arg-type]


@router.get("/individuals/{individual_id}", response=IndividualDetailOut)
def get_individual(request: HttpRequest, individual_id: Id) -> IndividualDetailOut:
    """A person and the documents they appear in."""
    return _person_detail(queries.individual_for(request.user, individual_id))


@router.post("/individuals/{individual_id}/notified", response=IndividualDetailOut)
def individual_notified(request: HttpRequest, individual_id: Id, payload: NotifiedIn) -> IndividualDetailOut:
    """Record that the person was told."""
    person = queries.individual_for(request.user, individual_id)
    return _person_detail(actions.mark_notified(person, actor=request.user, how=payload.how, at=payload.at))


@router.post("/individuals/{individual_id}/do-not-contact", response=IndividualDetailOut)
def individual_do_not_contact(
    request: HttpRequest, individual_id: Id, payload: DoNotContactIn
) -> IndividualDetailOut:
    """Exclude the person from letters and emails, with the reason."""
    person = queries.individual_for(request.user, individual_id)
    return _person_detail(actions.set_do_not_contact(person, actor=request.user, reason=payload.reason))


@router.post("/individuals/{individual_id}/reset-contact", response=IndividualDetailOut)
def individual_reset(request: HttpRequest, individual_id: Id) -> IndividualDetailOut:
    """Put the person back on the list to notify."""
    person = queries.individual_for(request.user, individual_id)
    return _person_detail(actions.reset_contact(person, actor=request.user))


@router.post("/individuals/{individual_id}/merge", response=IndividualDetailOut)
def individual_merge(request: HttpRequest, individual_id: Id, payload: MergeIn) -> IndividualDetailOut:
    """Merge other records of the same person into this one."""
    keep = queries.individual_for(request.user, individual_id)
    others = [queries.individual_for(request.user, pk) for pk in payload.others]
    return _person_detail(actions.merge_individuals(keep, actor=request.user, others=others))


@router.post("/individuals/{individual_id}/split", response={201: IndividualDetailOut})
def individual_split(
    request: HttpRequest, individual_id: Id, payload: SplitIn
) -> Status[IndividualDetailOut]:
    """Move some documents to a new record for a different person."""
    person = queries.individual_for(request.user, individual_id)
    new = actions.split_individual(
        person,
        actor=request.user,
        appearance_ids=payload.appearance_ids,
        full_name=payload.full_name,
        categories=payload.categories,
    )
    return Status(201, _person_detail(new))


# -- reports -------------------------------------------------------------------------------


@router.get("/breaches/{breach_id}/reports", response=list[ReportOut])
def list_reports(request: HttpRequest, breach_id: Id) -> list[ReportOut]:
    """Report versions for a breach."""
    breach = queries.breach_for(request.user, breach_id)
    return [_report_out(r) for r in breach.reports.all()]


@router.post("/breaches/{breach_id}/reports", response={201: ReportOut})
def draft_report(request: HttpRequest, breach_id: Id, payload: ReportIn) -> Status[ReportOut]:
    """Draft (or refresh the unsent draft of) the ICO, NCSC, police or insurer report."""
    breach = queries.breach_for(request.user, breach_id)
    return Status(201, _report_out(actions.draft_report(breach, actor=request.user, kind=payload.kind)))


@router.get("/reports/{report_id}", response=ReportOut)
def get_report(request: HttpRequest, report_id: Id) -> ReportOut:
    """One report version."""
    return _report_out(queries.report_for(request.user, report_id))


@router.get("/reports/{report_id}/pdf", response={200: None})
def report_pdf(request: HttpRequest, report_id: Id) -> HttpResponse:
    """The report as PDF."""
    return downloads.report_response(queries.report_for(request.user, report_id), "pdf")


@router.get("/reports/{report_id}/docx", response={200: None})
def report_docx(request: HttpRequest, report_id: Id) -> HttpResponse:
    """The report as DOCX (editable)."""
    return downloads.report_response(queries.report_for(request.user, report_id), "docx")


@router.post("/reports/{report_id}/submit", response=ReportOut)
def submit_report(request: HttpRequest, report_id: Id, payload: SubmitIn) -> ReportOut:
    """Record the report as filed, with the recipient's reference; stops its clock."""
    report = queries.report_for(request.user, report_id)
    return _report_out(
        actions.submit_report(
            report,
            actor=request.user,
            external_reference=payload.external_reference,
            submitted_at=payload.submitted_at,
        )
    )


# -- letters and emails ----------------------------------------------------------------------


@router.post("/breaches/{breach_id}/letters", response={201: LetterBatchOut})
def generate_letters(request: HttpRequest, breach_id: Id, payload: RisksIn) -> Status[LetterBatchOut]:
    """Mail-merge Art 34 letters for people at the chosen risk levels not yet told."""
    breach = queries.breach_for(request.user, breach_id)
    risks = [str(r) for r in payload.risks] if payload.risks is not None else None
    return Status(201, _batch_out(actions.generate_letters(breach, actor=request.user, risks=risks)))


@router.get("/breaches/{breach_id}/letters", response=list[LetterBatchOut])
def list_letter_batches(request: HttpRequest, breach_id: Id) -> list[LetterBatchOut]:
    """Letter batches for a breach."""
    breach = queries.breach_for(request.user, breach_id)
    return [_batch_out(b) for b in breach.letter_batches.all()]


@router.get("/letters/{batch_id}/files/{name}", response={200: None})
def letter_file(request: HttpRequest, batch_id: Id, name: str) -> FileResponse:
    """print-file.pdf, print-house.csv or letters.zip of a batch."""
    return downloads.batch_file(queries.batch_for(request.user, batch_id), name)


@router.post("/letters/{batch_id}/posted", response=LetterBatchOut)
def letters_posted(request: HttpRequest, batch_id: Id) -> LetterBatchOut:
    """Record that the batch was posted: everyone in it is notified by letter."""
    batch = queries.batch_for(request.user, batch_id)
    actions.mark_letters_posted(batch, actor=request.user)
    return _batch_out(batch)


@router.post("/breaches/{breach_id}/email-notices", response={201: EmailNoticeOut})
def create_email_notice(
    request: HttpRequest, breach_id: Id, payload: EmailNoticeIn
) -> Status[EmailNoticeOut]:
    """Prepare an email to everyone at the chosen risk levels with an email address."""
    breach = queries.breach_for(request.user, breach_id)
    risks = [str(r) for r in payload.risks] if payload.risks is not None else None
    return Status(
        201,
        _notice_out(
            actions.create_email_notice(breach, actor=request.user, risks=risks, subject=payload.subject)
        ),
    )


@router.get("/email-notices/{notice_id}", response=EmailNoticeOut)
def get_email_notice(request: HttpRequest, notice_id: Id) -> EmailNoticeOut:
    """An email notice and each delivery's state."""
    return _notice_out(queries.notice_for(request.user, notice_id))


@router.post("/email-notices/{notice_id}/send", response={202: EmailNoticeOut})
def send_email_notice(request: HttpRequest, notice_id: Id) -> Status[EmailNoticeOut]:
    """Start or resume sending in the background."""
    notice = queries.notice_for(request.user, notice_id)
    return Status(202, _notice_out(actions.start_sending(notice, actor=request.user)))


@router.post("/email-notices/{notice_id}/deliveries/{delivery_id}/resolve", response=DeliveryOut)
def resolve_delivery(request: HttpRequest, notice_id: Id, delivery_id: Id, payload: ResolveIn) -> DeliveryOut:
    """Decide an email interrupted by a restart: resend, or record as sent."""
    notice = queries.notice_for(request.user, notice_id)
    delivery = get_scoped(
        EmailDelivery.objects.filter(notice=notice).select_related("notice__breach__organisation"),
        "email",
        pk=delivery_id,
    )
    d = actions.resolve_uncertain(delivery, actor=request.user, resend=payload.resend)
    return DeliveryOut(
        id=d.pk,
        individual=d.individual_id,
        address=d.address,
        status=d.status,
        attempts=d.attempts,
        sent_at=d.sent_at,
        last_error=d.last_error,
    )


# -- public notice ----------------------------------------------------------------------------


@router.post("/breaches/{breach_id}/public-notice", response=PublicNoticeOut)
def publish_public_notice(request: HttpRequest, breach_id: Id) -> PublicNoticeOut:
    """Publish or refresh the public notice (Art 34(3)(c))."""
    breach = queries.breach_for(request.user, breach_id)
    return _public_out(request, actions.publish_public_notice(breach, actor=request.user))


@router.delete("/breaches/{breach_id}/public-notice", response=PublicNoticeOut)
def withdraw_public_notice(request: HttpRequest, breach_id: Id) -> PublicNoticeOut:
    """Take the public notice down."""
    breach = queries.breach_for(request.user, breach_id)
    notice = get_scoped(PublicNotice.objects.for_user(request.user), "public notice", breach=breach)
    return _public_out(request, actions.withdraw_public_notice(notice, actor=request.user))


# Evidence folders and consent to shared ones live in their own module (one concept each).
from incidentroom.breach.api_evidence import router as evidence_router  # noqa: E402

router.add_router("/evidence-roots", evidence_router)
