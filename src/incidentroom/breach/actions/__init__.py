"""Every change to breach data. Views, the API and tasks only parse input and call these.

Each action is atomic, checks that the actor is DPO or Gold of the controller, writes an
audit entry, and schedules background work with ``transaction.on_commit`` so a worker
never picks up a job whose row is not yet committed.

One module per concept; this package re-exports their public names so callers keep writing
``actions.start_scan``. The worker's side (no actor) is in ``breach.jobs``, reads in
``breach.queries``; both are re-exported here too for the callers that predate the split.
"""

from incidentroom.breach.actions.assessment import BREACH_FIELDS, TEXT_FIELDS, record_breach, update_breach
from incidentroom.breach.actions.emails import (
    confirm_sending,
    create_email_notice,
    resolve_uncertain,
    send_test_email,
    start_sending,
)
from incidentroom.breach.actions.letters import generate_letters, mark_letters_posted
from incidentroom.breach.actions.people import (
    INDIVIDUAL_AUDIT_FIELDS,
    RISK_ORDER,
    mark_notified,
    merge_individuals,
    reset_contact,
    set_do_not_contact,
    split_individual,
)
from incidentroom.breach.actions.public_notice import publish_public_notice, withdraw_public_notice
from incidentroom.breach.actions.reports import draft_report, submit_report
from incidentroom.breach.actions.scans import (
    ScanSource,
    cancel_scan,
    discard_scan,
    resume_scan,
    start_scan,
    start_upload_scan,
)
from incidentroom.breach.actions.wording import approve_wording, save_wording
from incidentroom.breach.jobs import (
    claim_delivery,
    complete_scan,
    delivery_failed,
    delivery_sent,
    end_scan,
    render_letters,
    scan_progress,
    scan_started,
    schedule_retry,
)
from incidentroom.breach.queries import people_to_tell

__all__ = [
    "BREACH_FIELDS",
    "INDIVIDUAL_AUDIT_FIELDS",
    "RISK_ORDER",
    "TEXT_FIELDS",
    "ScanSource",
    "approve_wording",
    "cancel_scan",
    "claim_delivery",
    "complete_scan",
    "confirm_sending",
    "create_email_notice",
    "delivery_failed",
    "delivery_sent",
    "discard_scan",
    "draft_report",
    "end_scan",
    "generate_letters",
    "mark_letters_posted",
    "mark_notified",
    "merge_individuals",
    "people_to_tell",
    "publish_public_notice",
    "record_breach",
    "render_letters",
    "reset_contact",
    "resolve_uncertain",
    "resume_scan",
    "save_wording",
    "scan_progress",
    "scan_started",
    "schedule_retry",
    "send_test_email",
    "set_do_not_contact",
    "split_individual",
    "start_scan",
    "start_sending",
    "start_upload_scan",
    "submit_report",
    "update_breach",
    "withdraw_public_notice",
]
