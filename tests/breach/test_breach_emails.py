"""Art 34 emails over real SMTP (aiosmtpd): content, rate limit, retries, and never twice."""

from __future__ import annotations

import datetime as dt
import socket
from collections import Counter
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import override_settings
from django.utils import timezone

from incidentroom.breach import actions, emails, jobs
from incidentroom.breach.models import Breach, ContactStatus, DeliveryStatus, EmailDelivery, Individual
from tests.helpers.breachhelp import assert_only_own_data
from tests.helpers.live import SmtpSink


@pytest.fixture
def smtp(smtp_server: SmtpSink) -> Iterator[Any]:
    """Point Django's SMTP backend at the test server."""
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST=smtp_server.host,
        EMAIL_PORT=smtp_server.port,
        EMAIL_USE_TLS=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
    ):
        yield smtp_server


def _body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(message.get_content_charset() or "utf-8")


def _start(breach: Any, actor: Any, **kw: Any) -> tuple[Any, str]:
    notice = actions.create_email_notice(breach, actor=actor, **kw)
    notice = actions.start_sending(notice, actor=actor)
    return notice, notice.run_token


def _no_wait() -> emails.RateLimiter:
    return emails.RateLimiter(0)


def _received(smtp: Any) -> Counter[str]:
    return Counter(to for _sender, tos in smtp.envelopes for to in tos)


def test_each_email_carries_only_that_persons_data(scanned: Breach, rbkc_dpo: User, smtp: Any) -> None:
    notice, token = _start(scanned, rbkc_dpo)
    result = emails.run_batch(notice.pk, token, limiter=_no_wait())
    assert result.sent == 3 and result.failed == 0
    assert _received(smtp) == {"alice@example.org": 1, "bashir@example.org": 1, "dev@example.org": 1}
    by_address = {m["To"]: m for m in smtp.messages}
    ids = {"alice@example.org": "P0001", "bashir@example.org": "P0002", "dev@example.org": "P0004"}
    for address, person_id in ids.items():
        message = by_address[address]
        assert message["Reply-To"] == "dpo@rbkc.example.gov.uk"
        assert message["Message-ID"].startswith(f"<ir-notice{notice.pk}-person")
        assert_only_own_data(_body(message), person_id)
    assert all(
        p.contact_status == ContactStatus.NOTIFIED and p.notified_how == "email"
        for p in Individual.objects.filter(person_id__in=ids.values())
    )
    assert notice.counts()["sent"] == 3
    # Running the same notice again sends nothing: everyone has had it.
    token2 = actions.start_sending(notice, actor=rbkc_dpo).run_token
    assert emails.run_batch(notice.pk, token2, limiter=_no_wait()).sent == 0
    assert len(smtp.messages) == 3


def test_a_worker_killed_after_sending_but_before_recording_never_sends_twice(
    scanned: Breach, rbkc_dpo: User, smtp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    notice, token = _start(scanned, rbkc_dpo)
    real_sent = jobs.delivery_sent
    calls = {"n": 0}

    def die_on_second(delivery: EmailDelivery, *, message_id: str) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            # The message reached the server; the process dies before the database hears of it.
            raise SystemExit("worker killed")
        real_sent(delivery, message_id=message_id)

    monkeypatch.setattr(jobs, "delivery_sent", die_on_second)
    with pytest.raises(SystemExit):
        emails.run_batch(notice.pk, token, limiter=_no_wait())
    monkeypatch.setattr(jobs, "delivery_sent", real_sent)
    counts = notice.counts()
    assert (counts["sent"], counts["sending"], counts["pending"]) == (1, 1, 1)

    # The worker restarts and the batch is resumed: a new run takes over.
    resumed = actions.start_sending(notice, actor=rbkc_dpo)
    assert resumed.counts()["uncertain"] == 1
    emails.run_batch(notice.pk, resumed.run_token, limiter=_no_wait())
    received = _received(smtp)
    assert sorted(received.values()) == [1, 1, 1], received  # three people, once each
    uncertain = EmailDelivery.objects.get(notice=notice, status=DeliveryStatus.UNCERTAIN)
    # A person checks the mail log, sees it went, and records it: still nothing is resent.
    actions.resolve_uncertain(uncertain, actor=rbkc_dpo, resend=False)
    assert notice.counts()["sent"] == 3 and len(smtp.messages) == 3


def test_a_worker_killed_after_claiming_but_before_sending_holds_the_email_for_a_person(
    scanned: Breach, rbkc_dpo: User, smtp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    notice, token = _start(scanned, rbkc_dpo)

    def die(delivery: EmailDelivery, connection: Any = None) -> Any:
        raise SystemExit("worker killed")

    monkeypatch.setattr(emails, "build_message", die)
    with pytest.raises(SystemExit):
        emails.run_batch(notice.pk, token, limiter=_no_wait())
    monkeypatch.undo()
    resumed = actions.start_sending(notice, actor=rbkc_dpo)
    emails.run_batch(notice.pk, resumed.run_token, limiter=_no_wait())
    assert len(smtp.messages) == 2  # the interrupted one waits for a decision
    held = EmailDelivery.objects.get(notice=notice, status=DeliveryStatus.UNCERTAIN)
    actions.resolve_uncertain(held, actor=rbkc_dpo, resend=True)
    again = actions.start_sending(notice, actor=rbkc_dpo)
    emails.run_batch(notice.pk, again.run_token, limiter=_no_wait())
    assert sorted(_received(smtp).values()) == [1, 1, 1]


def test_an_old_run_stops_when_a_new_one_takes_over(scanned: Breach, rbkc_dpo: User, smtp: Any) -> None:
    notice, old = _start(scanned, rbkc_dpo)
    actions.start_sending(notice, actor=rbkc_dpo)
    assert emails.run_batch(notice.pk, old, limiter=_no_wait()).sent == 0
    assert smtp.messages == []


def test_refused_sends_are_recorded_retried_later_and_given_up(
    scanned: Breach, rbkc_dpo: User, smtp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import smtplib

    from django.core.mail import EmailMessage  # what breach.emails sends with
    from django_tasks_db.models import DBTaskResult

    real_send = EmailMessage.send

    def refuse_bashir(self: Any, fail_silently: bool = False) -> int:
        if "bashir@example.org" in self.to:
            raise smtplib.SMTPRecipientsRefused({"bashir@example.org": (550, b"mailbox unavailable")})
        return int(real_send(self, fail_silently))

    monkeypatch.setattr(EmailMessage, "send", refuse_bashir)
    notice, token = _start(scanned, rbkc_dpo)
    result = emails.run_batch(notice.pk, token, limiter=_no_wait())
    assert result.sent == 2 and result.failed == 1
    failed = EmailDelivery.objects.get(notice=notice, address="bashir@example.org")
    assert failed.status == DeliveryStatus.FAILED and failed.attempts == 1 and "550" in failed.last_error
    assert failed.next_attempt_at is not None and failed.next_attempt_at > timezone.now()
    retry = (
        DBTaskResult.objects.filter(task_path__endswith="send_email_notice").order_by("-enqueued_at").first()
    )
    assert retry is not None and retry.run_after == failed.next_attempt_at

    # Time for the retry comes (moved in the data, not waited for); it is refused twice more.
    for attempt in (2, 3):
        EmailDelivery.objects.filter(pk=failed.pk).update(
            next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
        )
        emails.run_batch(notice.pk, token, limiter=_no_wait())
        failed.refresh_from_db()
        assert failed.attempts == attempt
    assert failed.status == DeliveryStatus.GAVE_UP and failed.next_attempt_at is None
    assert _received(smtp) == {"alice@example.org": 1, "dev@example.org": 1}


def test_an_unreachable_server_stops_the_run_without_burning_every_attempt(
    scanned: Breach, rbkc_dpo: User
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_TIMEOUT=2,
    ):
        notice, token = _start(scanned, rbkc_dpo)
        result = emails.run_batch(notice.pk, token, limiter=_no_wait())
    assert result.stopped_by_connection and result.failed == 1
    assert notice.counts()["pending"] == 2 and notice.counts()["failed"] == 1


def test_rate_limiter_spaces_sends_evenly() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = emails.RateLimiter(per_minute=30, clock=lambda: now[0], sleep=sleep)
    for _ in range(4):
        limiter.wait()
        now[0] += 0.5  # sending takes half a second
    assert slept == [1.5, 1.5, 1.5]


def test_people_without_a_usable_address_are_left_to_letters(scanned: Breach, rbkc_dpo: User) -> None:
    Individual.objects.filter(person_id="P0002").update(email="not an address")
    notice = actions.create_email_notice(scanned, actor=rbkc_dpo)
    assert sorted(d.address for d in notice.deliveries.all()) == ["alice@example.org", "dev@example.org"]
    with pytest.raises(Exception, match="one line"):
        actions.create_email_notice(scanned, actor=rbkc_dpo, subject="Hi\r\nBcc: everyone@example.org")


def test_the_log_and_the_audit_trail_never_hold_a_data_subjects_details(
    scanned: Breach, rbkc_dpo: User, smtp: Any
) -> None:
    from incidentroom.core.models import AuditEntry
    from incidentroom.incidents.models import LogEntry
    from tests.helpers.breachhelp import PEOPLE, identifying, make_letters

    notice, token = _start(scanned, rbkc_dpo)
    emails.run_batch(notice.pk, token, limiter=_no_wait())
    make_letters(scanned, rbkc_dpo, ["low"])
    people = {p.person_id: p for p in Individual.objects.all()}
    actions.merge_individuals(people["P0001"], actor=rbkc_dpo, others=[people["P0003"]])
    actions.set_do_not_contact(people["P0002"], actor=rbkc_dpo, reason="Deceased")
    actions.draft_report(scanned, actor=rbkc_dpo, kind="ico")
    actions.publish_public_notice(scanned, actor=rbkc_dpo)
    # Everyone in the incident reads the log; Silver reads the audit trail. Neither may name anyone.
    texts = [e.text for e in LogEntry.objects.all()]
    texts += [f"{a.object_repr} {a.before} {a.after}" for a in AuditEntry.objects.all()]
    assert len(texts) > 20
    for person in PEOPLE:
        for value in identifying(person):
            leaks = [t for t in texts if value in t]
            assert not leaks, (value, leaks[:2])
