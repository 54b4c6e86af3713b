"""The breach API's request and response shapes (the endpoints are in ``breach.api``).

Inputs are ``InputSchema``: unknown fields and unbounded numbers are refused with a 4xx
naming the field."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from incidentroom.breach.models import (
    ContactStatus,
    PeopleCategory,
    ReportKind,
    Risk,
)
from incidentroom.core.bounds import Id, Offset
from incidentroom.core.schemas import InputSchema
from incidentroom.core.times import BoundedDatetime


class BreachFields(InputSchema):
    """The assessment's optional details."""

    data_sets: str = Field(default="", max_length=20000, description="One data set per line")
    occurred_at: BoundedDatetime | None = None
    discovery: str = Field(default="", max_length=20000)
    cyber_incident: bool = True
    confidentiality: bool = True
    integrity: bool = False
    availability: bool = False
    people_categories: list[PeopleCategory] = []
    likely_consequences: str = Field(default="", max_length=20000)
    measures_taken: str = Field(default="", max_length=20000)
    measures_proposed: str = Field(default="", max_length=20000)
    delay_reason: str = Field(default="", max_length=20000)


class BreachIn(BreachFields):
    """Record a controller's personal data breach."""

    organisation: str = Field(min_length=1, max_length=16)
    description: str = Field(min_length=1, max_length=20000)
    became_aware_at: BoundedDatetime


class BreachPatch(InputSchema):
    """Fields to change (omit what stays)."""

    description: str | None = Field(default=None, min_length=1, max_length=20000)
    data_sets: str | None = Field(default=None, max_length=20000)
    occurred_at: BoundedDatetime | None = None
    became_aware_at: BoundedDatetime | None = None
    discovery: str | None = Field(default=None, max_length=20000)
    cyber_incident: bool | None = None
    confidentiality: bool | None = None
    integrity: bool | None = None
    availability: bool | None = None
    people_categories: list[PeopleCategory] | None = None
    likely_consequences: str | None = Field(default=None, max_length=20000)
    measures_taken: str | None = Field(default=None, max_length=20000)
    measures_proposed: str | None = Field(default=None, max_length=20000)
    delay_reason: str | None = Field(default=None, max_length=20000)


class BreachOut(Schema):
    """A breach assessment."""

    id: int
    incident: str
    organisation: str
    description: str
    data_sets: list[str]
    occurred_at: dt.datetime | None
    became_aware_at: dt.datetime
    discovery: str
    cyber_incident: bool
    confidentiality: bool
    integrity: bool
    availability: bool
    people_categories: list[str]
    likely_consequences: str
    measures_taken: str
    measures_proposed: str
    delay_reason: str


class SourceIn(InputSchema):
    """A folder or archive on the server, and whose data it holds."""

    path: str = Field(min_length=1, max_length=1000)
    organisation: str | None = Field(
        default=None, max_length=16, description="Controller (default: the breach's)"
    )


class ScanIn(InputSchema):
    """Start a scan of server-side folders or archives."""

    sources: list[SourceIn] = Field(min_length=1, max_length=50)


class ScanOut(Schema):
    """A scan job and its progress."""

    id: int
    breach: int
    status: str
    sources: list[dict[str, str]]
    files_done: int
    files_total: int
    bytes_done: int
    bytes_total: int
    percent: int
    cancel_requested: bool
    error: str
    individuals_imported: int
    files_by_status: dict[str, int]
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


class AppearanceOut(Schema):
    """A document a person appears in (the path and location, never the content)."""

    id: int
    path: str
    location: str


class IndividualOut(Schema):
    """A person on the notification list."""

    id: int
    person_id: str
    full_name: str
    date_of_birth: dt.date | None
    address: str
    postcode: str
    email: str
    phone: str
    categories: list[str]
    risk: str
    document_count: int
    organisations: list[str]
    contact_status: str
    notified_at: dt.datetime | None
    notified_how: str
    do_not_contact_reason: str
    deceased: bool


class IndividualDetailOut(IndividualOut):
    """A person with the documents they appear in."""

    appearances: list[AppearanceOut]
    merged_into: int | None


class PeopleQuery(InputSchema):
    """Search and filters for the individuals list."""

    q: str = Field(default="", max_length=200)
    category: str = Field(default="", max_length=40)
    risk: Risk | None = None
    organisation: str = Field(default="", max_length=16)
    status: ContactStatus | None = None
    offset: Offset = 0
    limit: int = Field(default=100, ge=1, le=1000)


class PeoplePage(Schema):
    """One page of individuals."""

    count: int
    items: list[IndividualOut]


class NotifiedIn(InputSchema):
    """How and when the person was told."""

    how: str = Field(default="letter", min_length=1, max_length=100)
    at: BoundedDatetime | None = None


class DoNotContactIn(InputSchema):
    """Why not to contact the person."""

    reason: str = Field(min_length=1, max_length=300)


class MergeIn(InputSchema):
    """Records to merge into this one."""

    others: list[Id] = Field(min_length=1, max_length=100)


class SplitIn(InputSchema):
    """Documents to move to a new record, and who it is."""

    appearance_ids: list[Id] = Field(min_length=1, max_length=1000)
    full_name: str = Field(min_length=1, max_length=300)
    categories: list[str] | None = None


class ReportIn(InputSchema):
    """Which report to draft."""

    kind: ReportKind


class ReportOut(Schema):
    """A report version."""

    id: int
    breach: int
    kind: str
    version: int
    follow_up: bool
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    external_reference: str
    individuals: int | None = Field(description="People affected, or null while not yet known")
    categories: list[str]


class SubmitIn(InputSchema):
    """Record the report as filed."""

    external_reference: str = Field(default="", max_length=100)
    submitted_at: BoundedDatetime | None = None


class RisksIn(InputSchema):
    """Which risk levels to contact (default: the configured policy)."""

    risks: list[Risk] | None = None


class EmailNoticeIn(RisksIn):
    """An email notice."""

    subject: str = Field(default="", max_length=200)


class LetterBatchOut(Schema):
    """A mail merge."""

    id: int
    breach: int
    risks: list[str]
    letter_count: int
    without_address: int
    status: str
    created_at: dt.datetime
    files: list[str]


class DeliveryOut(Schema):
    """One email's state."""

    id: int
    individual: int
    address: str
    status: str
    attempts: int
    sent_at: dt.datetime | None
    last_error: str


class EmailNoticeOut(Schema):
    """An email notice and how far it got."""

    id: int
    breach: int
    subject: str
    risks: list[str]
    counts: dict[str, int]
    deliveries: list[DeliveryOut]


class ResolveIn(InputSchema):
    """Decide an interrupted email: resend it, or record it as sent."""

    resend: bool


class PublicNoticeOut(Schema):
    """The public notice."""

    breach: int
    title: str
    url: str
    published_at: dt.datetime | None
    live: bool


class DiscardIn(InputSchema):
    """Why a scan's results should no longer count."""

    reason: str = Field(min_length=1, max_length=2000)
