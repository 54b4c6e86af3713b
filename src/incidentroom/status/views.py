"""Pages: the public status site (no sign-in), subscriptions, and the comms officers' page.

Public pages render through :mod:`incidentroom.status.site`, the same code that writes the
static copy; staff pages read only through ``for_user`` querysets and write only through
:mod:`incidentroom.status.actions`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from incidentroom.continuity.queries import continuity_notes
from incidentroom.core import people
from incidentroom.core.access import roles_by_org
from incidentroom.core.errors import DomainError, InvalidInput
from incidentroom.core.models import PUBLISH_ROLES, Organisation
from incidentroom.core.scoping import get_scoped
from incidentroom.estate.models import Service
from incidentroom.estate.queries import AffectedService
from incidentroom.incidents.queries import causes_by_service
from incidentroom.status import actions, site
from incidentroom.status.middleware import file_response
from incidentroom.status.models import (
    ProposalState,
    PublicStatus,
    ServiceStatus,
    StatusPage,
    StatusProposal,
    StatusUpdate,
)


@require_GET
def public_file(request: HttpRequest, **_: str) -> HttpResponse:
    """A page, feed, JSON file or stylesheet of the public site, as last published.

    :class:`~incidentroom.status.middleware.PublishedStatusMiddleware` answers these before
    the app; this view is reached only when it could not (nothing published yet, or a name
    that does not exist), and answers the same way, publishing first on a fresh install.
    """
    response = file_response(request.path_info)
    if response is None:
        raise Http404("No status page by that name.")
    return response


def _message(
    request: HttpRequest,
    heading: str,
    body: str = "",
    *,
    status: int = 200,
    error: str = "",
    button: str = "",
) -> HttpResponse:
    return render(
        request,
        "status/public/message.html",
        {
            "root": "/status/",
            "service_name": settings.STATUS_SITE_NAME,
            "heading": heading,
            "body": body,
            "error": error,
            "button": button,
        },
        status=status,
    )


def client_ip(request: HttpRequest) -> str:
    """The resident's address for rate limiting.

    Behind N trusted reverse proxies (``STATUS_PROXY_HOPS``), it is the N-th address from
    the right of X-Forwarded-For: the entries further left are set by the client and can
    be forged, and REMOTE_ADDR would be the proxy, putting every resident in one bucket.
    """
    hops = settings.STATUS_PROXY_HOPS
    remote = str(request.META.get("REMOTE_ADDR", ""))
    forwarded = [p.strip() for p in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if p.strip()]
    if hops > 0 and len(forwarded) >= hops:
        return forwarded[-hops]
    return remote


@csrf_exempt  # posted from the static copy on another host; anonymous, rate limited and double opt-in
@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    """Ask for email updates; always the same answer, so it reveals nothing about who subscribes."""
    if request.method == "GET":
        return redirect("status-public")
    try:
        actions.subscribe(
            email=request.POST.get("email", ""),
            scope=request.POST.get("scope", "all"),
            ip=client_ip(request),
        )
    except DomainError as exc:
        return _message(request, "Email updates", status=exc.status, error=exc.message)
    return _message(
        request,
        "Check your email",
        "If the address is right, we have sent a link to confirm your subscription. "
        "Nothing is sent until you open it.",
    )


@csrf_exempt  # anonymous, no session: the signed token in the URL is the proof
@require_http_methods(["GET", "POST"])
def confirm_subscription(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the confirmation email: GET shows a button, POST confirms, so a mail
    scanner that opens every link cannot sign someone up on their behalf."""
    if request.method == "GET":
        return _message(
            request,
            "Confirm email updates",
            "Press the button to start getting status emails.",
            button="Confirm subscription",
        )
    try:
        actions.confirm_subscription(token)
    except DomainError as exc:
        return _message(request, "Email updates", status=exc.status, error=exc.message)
    return _message(
        request, "Subscription confirmed", "You will get an email when the status page is updated."
    )


@csrf_exempt  # RFC 8058: mail clients POST here with no cookie and no token of ours
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (link scanners must not unsubscribe people); POST unsubscribes."""
    if request.method == "GET":
        return _message(
            request,
            "Stop email updates",
            "Press the button to stop all status emails to this address.",
            button="Stop email updates",
        )
    try:
        actions.unsubscribe(token)
    except DomainError as exc:
        return _message(request, "Email updates", status=exc.status, error=exc.message)
    return _message(request, "You have unsubscribed", "You will not get any more status emails.")


# -- the comms officers' page ------------------------------------------------------------


@dataclass
class ProposalGroup:
    """Proposals with one root cause (a system down, a council's network shut), so that
    "phones down" across three councils is one decision, not twenty forms."""

    key: str
    title: str
    proposed_status: str
    proposals: list[StatusProposal] = field(default_factory=list)
    publishable: list[StatusProposal] = field(default_factory=list)
    # Per proposal: how the group's cause reaches the service, and what else has it down.
    # One cause lumps services whose own systems are down with those that only lost their
    # phones; comms must see which is which before giving them one status and one advice.
    through: dict[int, str] = field(default_factory=dict)
    also: dict[int, list[str]] = field(default_factory=dict)

    @property
    def picks(self) -> list[dict[str, Any]]:
        """The services this person may tick, each with how it was lost and what else is down."""
        return [
            {"p": p, "through": self.through.get(p.pk, ""), "also": self.also.get(p.pk, [])}
            for p in self.publishable
        ]

    @property
    def organisations(self) -> list[str]:
        """Codes of the councils whose services are in the group."""
        return sorted({p.service.organisation.code for p in self.proposals})

    @property
    def publishable_councils(self) -> list[str]:
        """Codes of the councils whose services this person may publish in the group."""
        return sorted({p.service.organisation.code for p in self.publishable})

    @property
    def advice(self) -> str:
        """The council's suggested advice, as a starting point to edit. Empty when the person
        publishes for several councils: one council's numbers must not reach another's
        residents, and empty advice gives each service its own council's."""
        if len(self.publishable_councils) != 1:
            return ""
        return next((p.suggested_advice for p in self.publishable if p.suggested_advice), "")


def _causes(proposals: list[StatusProposal]) -> dict[int, list[AffectedService]]:
    """Every reason each proposal's service is down, per incident (a few down systems)."""
    by_incident: dict[int, dict[int, list[AffectedService]]] = {}
    out: dict[int, list[AffectedService]] = {}
    for p in proposals:
        if p.incident_id is None or p.incident is None:
            continue
        if p.incident_id not in by_incident:
            by_incident[p.incident_id] = causes_by_service(p.incident)
        out[p.pk] = by_incident[p.incident_id].get(p.service_id, [])
    return out


def _proposal_groups(proposals: list[StatusProposal], publish_codes: set[str]) -> list[ProposalGroup]:
    groups: dict[str, ProposalGroup] = {}
    causes = _causes(proposals)
    for p in proposals:
        if p.system_id is not None and p.system is not None:
            key, cause = f"system-{p.system_id}-{p.proposed_status}", p.system.name
        else:
            # Containment proposals carry no system: the council's own network is the cause.
            key = f"org-{p.service.organisation_id}-{p.proposed_status}"
            cause = p.reason.split(";")[0].rstrip(".")
        group = groups.get(key)
        if group is None:
            label = PublicStatus(p.proposed_status).label.lower()
            group = groups[key] = ProposalGroup(
                key=key, title=f"{cause}: proposed {label}", proposed_status=p.proposed_status
            )
        group.proposals.append(p)
        for row in causes.get(p.pk, []):
            # The group's own cause: its system at the end of the chain, or (no system) the shutdown.
            own = row.path[-1].pk == p.system_id if row.path else p.system_id is None
            if own and p.pk not in group.through:
                group.through[p.pk] = row.because
            elif p.system_id is None or all(s.pk != p.system_id for s in row.path):
                # A chain through the group's own system (the telephony, and the directory
                # behind it) is the same route, not another reason.
                group.also.setdefault(p.pk, []).append(row.because)
        if p.service.organisation.code in publish_codes:
            group.publishable.append(p)
    # The biggest root cause first: it is the one residents are ringing about.
    return sorted(groups.values(), key=lambda g: (-len(g.proposals), g.title))


@dataclass
class Decision:
    """One line of "Recent decisions": a status someone confirmed, or a proposal rejected."""

    at: Any
    text: str
    by: str
    note: str = ""


def _recent_decisions(user: Any, limit: int = 20) -> list[Decision]:
    # Every status confirmed, whether from a proposal, set directly or loaded as the day's
    # statement: the table of what the public sees names its confirmers, so this list must too.
    confirmed = [
        Decision(
            at=s.changed_at,
            text=f"{s.service.name} ({s.service.organisation.code}) confirmed as "
            f"{PublicStatus(s.status).label.lower()}",
            by=s.confirmed_by_label,
        )
        for s in ServiceStatus.objects.for_user(user)
        .select_related("service__organisation")
        .order_by("-changed_at")[:limit]
    ]
    rejected = [
        Decision(
            at=p.decided_at,
            text=f"{p.service.name} ({p.service.organisation.code}) proposal rejected",
            by=people.describe(p.decided_by) if p.decided_by else "",
            note=p.decision_note,
        )
        for p in StatusProposal.objects.for_user(user)
        .filter(state=ProposalState.REJECTED, decided_at__isnull=False)
        .select_related("service__organisation", "decided_by")
        .order_by("-decided_at")[:limit]
    ]
    return sorted(confirmed + rejected, key=lambda d: d.at, reverse=True)[:limit]


def _manage_context(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    roles = roles_by_org(user)
    orgs = list(Organisation.objects.for_user(user))
    services = list(Service.objects.for_user(user).select_related("organisation", "public_status"))
    pages = {p.organisation_id: p for p in StatusPage.objects.for_user(user)}
    publish_codes = {o.code for o in orgs if roles.get(o.pk) in PUBLISH_ROLES}
    # Vulnerable residents' services first, as on the continuity board.
    proposals = list(
        StatusProposal.objects.for_user(user)
        .pending()
        .select_related("service__organisation", "system", "incident")
        .order_by(
            "service__organisation__code",
            "-service__vulnerable_residents",
            "service__priority",
            "service__name",
        )
    )
    internal = continuity_notes(user, [s.pk for s in services])
    return {
        "orgs": orgs,
        "publish_codes": publish_codes,
        "proposals": proposals,
        "proposal_groups": _proposal_groups(proposals, publish_codes),
        "recent_decisions": _recent_decisions(user),
        "services": services,
        # What residents are told, next to what the continuity board says internally, so comms
        # can see a workaround that has not been told to residents yet (and word it for them).
        "affected": [
            {"service": s, "internal": internal.get(s.pk, "")}
            for s in services
            if getattr(s, "public_status", None) is not None
            and s.public_status.status != PublicStatus.WORKING
        ],
        "unconfirmed": [s for s in services if s.public and getattr(s, "public_status", None) is None],
        "page_settings": [
            {
                "org": o,
                "headline": pages[o.pk].headline if o.pk in pages else "",
                "help_text": pages[o.pk].help_text if o.pk in pages else "",
                "enabled": pages[o.pk].enabled if o.pk in pages else True,
            }
            for o in orgs
            if roles.get(o.pk) in PUBLISH_ROLES
        ],
        "updates": StatusUpdate.objects.for_user(user).select_related("organisation")[:20],
        "statuses": PublicStatus.choices,
        "last_published": site.last_published(),
        # A failed write must be seen by the people who can fix it: their councils' parts
        # and the group files that every council's residents also read.
        "publish_failures": [
            p for p in site.failing_parts() if p.organisation_id is None or p.organisation_id in roles
        ],
    }


@login_required
@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    """Proposals waiting for a person, what the public sees, updates, page settings."""
    return render(request, "status/manage.html", _manage_context(request))


def _refused(
    request: HttpRequest, exc: InvalidInput, *, form: str, hrefs: dict[str, str], default: str
) -> HttpResponse:
    """Input the person can correct: the same page again (not a separate error page), with an
    error summary linking to the field, and the form's typed input kept where it has one."""
    field = exc.field or ""
    ctx = _manage_context(request)
    ctx["failed"] = {"form": form, "field": field, "message": exc.message, "data": request.POST}
    ctx["error_summary"] = [{"href": hrefs.get(field, default), "text": exc.message}]
    return render(request, "status/manage.html", ctx, status=exc.status)


@login_required
@require_POST
def decide_proposal(request: HttpRequest, proposal_id: int) -> HttpResponse:
    """Confirm (optionally amended) or reject one proposal."""
    proposal = get_scoped(
        StatusProposal.objects.for_user(request.user).select_related("service__organisation"),
        "proposal",
        pk=proposal_id,
    )
    decision = request.POST.get("decision", "")
    try:
        if decision == "confirm":
            actions.confirm_proposal(
                proposal,
                actor=request.user,
                status=request.POST.get("status") or None,
                advice=request.POST.get("advice", ""),
                update_text=request.POST.get("update_text", ""),
            )
            messages.success(request, f"Published: {proposal.service.name} is now shown to the public.")
        elif decision == "reject":
            actions.reject_proposal(proposal, actor=request.user, reason=request.POST.get("reason", ""))
            messages.success(
                request, f"Proposal for {proposal.service.name} rejected; nothing was published."
            )
        else:
            raise InvalidInput("Choose confirm or reject.", field="decision")
    except InvalidInput as exc:
        pk = proposal.pk
        hrefs = {"status": f"#status-{pk}", "advice": f"#advice-{pk}", "update_text": f"#update-{pk}"}
        return _refused(request, exc, form=f"proposal-{pk}", hrefs=hrefs, default=f"#proposal-{pk}")
    return redirect("status-manage")


@login_required
@require_POST
def decide_proposals(request: HttpRequest) -> HttpResponse:
    """Confirm or reject several proposals with one root cause in one decision."""
    raw = request.POST.getlist("proposal")
    if not raw or not all(v.isdigit() and len(v) < 12 for v in raw):
        # Every box unticked: the page again, the summary leading back to the proposals.
        return _refused(
            request,
            InvalidInput("Tick at least one service to confirm or reject.", field="proposal"),
            form="bulk",
            hrefs={},
            default="#proposals",
        )
    wanted = {int(v) for v in raw}
    found = list(
        StatusProposal.objects.for_user(request.user)
        .filter(pk__in=wanted)
        .select_related("service__organisation")
    )
    if len(found) != len(wanted):
        raise Http404("No such proposal.")
    decision = request.POST.get("decision", "")
    try:
        if decision == "confirm":
            actions.confirm_proposals(
                found,
                actor=request.user,
                status=request.POST.get("status", ""),
                advice=request.POST.get("advice", ""),
                update_text=request.POST.get("update_text", ""),
            )
            messages.success(request, f"Published: {len(found)} services are now shown to the public.")
        elif decision == "reject":
            actions.reject_proposals(found, actor=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, f"{len(found)} proposals rejected; nothing was published.")
        else:
            raise InvalidInput("Choose confirm or reject.", field="decision")
    except InvalidInput as exc:
        # The group's card holds the ticked services; its first one locates it on the page.
        first = min(p.pk for p in found)
        return _refused(request, exc, form="bulk", hrefs={}, default=f"#pick-{first}")
    return redirect("status-manage")


@login_required
@require_POST
def set_service_status(request: HttpRequest) -> HttpResponse:
    """Publish a service's status directly."""
    service_id = request.POST.get("service", "")
    if not service_id.isdigit():
        return _refused(
            request,
            InvalidInput("Choose a service.", field="service"),
            form="set",
            hrefs={},
            default="#set-service",
        )
    service = get_scoped(
        Service.objects.for_user(request.user).select_related("organisation"), "service", pk=int(service_id)
    )
    try:
        actions.set_service_status(
            service,
            actor=request.user,
            status=request.POST.get("status", ""),
            advice=request.POST.get("advice", ""),
            update_text=request.POST.get("update_text", ""),
            workaround=request.POST.get("workaround", ""),
        )
    except InvalidInput as exc:
        hrefs = {"status": "#set-status", "advice": "#set-advice", "workaround": "#set-workaround"}
        return _refused(request, exc, form="set", hrefs=hrefs, default="#set-service")
    messages.success(request, f"Published: {service.name}.")
    return redirect("status-manage")


@login_required
@require_POST
def post_update(request: HttpRequest) -> HttpResponse:
    """Publish a dated update for one organisation."""
    org = get_scoped(
        Organisation.objects.for_user(request.user), "organisation", code=request.POST.get("organisation", "")
    )
    try:
        actions.post_update(org, actor=request.user, text=request.POST.get("text", ""))
    except InvalidInput as exc:
        return _refused(request, exc, form="update", hrefs={}, default="#upd-text")
    messages.success(request, f"Update published for {org.code}.")
    return redirect("status-manage")


@login_required
@require_POST
def configure_page(request: HttpRequest, code: str) -> HttpResponse:
    """Change an organisation's banner and where-to-get-help text."""
    org = get_scoped(Organisation.objects.for_user(request.user), "organisation", code=code)
    try:
        actions.configure_page(
            org,
            actor=request.user,
            headline=request.POST.get("headline", ""),
            help_text=request.POST.get("help_text", ""),
            enabled=request.POST.get("enabled") == "on",
        )
    except InvalidInput as exc:
        hrefs = {"headline": f"#headline-{org.code}", "help_text": f"#help-{org.code}"}
        return _refused(request, exc, form=f"page-{org.code}", hrefs=hrefs, default=f"#headline-{org.code}")
    messages.success(request, f"Status page settings saved for {org.code}.")
    return redirect("status-manage")


@login_required
@require_POST
def republish(request: HttpRequest) -> HttpResponse:
    """Write the static copy again."""
    report = actions.republish(actor=request.user, organisations=Organisation.objects.for_user(request.user))
    if report.failures:
        messages.error(
            request,
            "The static status site was written, except: "
            + "; ".join(f"{scope}: {why}" for scope, why in sorted(report.failures.items()))
            + ". The worker will try again.",
        )
    else:
        messages.success(request, "The static status site was written again.")
    return redirect("status-manage")
