"""The shapes of the voice API (kejia/voice/api.py). Bodies name organizations and people by id
(`organization_id`, `to_id`, `assignee_id`). Answers to the sender carry nothing about the staff
beyond the organization and a public answer's signature; the handlers also see the sender's name
and the assignee. The public shape never names the sender."""

import datetime
from typing import Annotated, Literal

from django.utils import timezone
from ninja import Field, Schema

from kejia.core.rows import max_length_of
from kejia.organizations.api_schemas import Id, ObjectId, OrgRef, PageParams, request_user
from kejia.voice import selectors
from kejia.voice.choices import DayKind, ItemKind, ItemStatus
from kejia.voice.models import CalendarDay, DeadlineRule
from kejia.voice.services import ANSWER_MAX, BODY_MAX, TITLE_MAX

__all__ = ["Id", "ObjectId"]

Note = Annotated[str, Field(max_length=2000)]


class UserRef(Schema):
    id: int
    name: str


class ItemOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    status: str
    status_label: str
    organization: OrgRef = Field(..., description="The organization handling it now")
    origin: OrgRef = Field(..., description="The organization it was sent to")
    allow_public: bool
    deadline_days: int
    due_on: datetime.date
    overdue: bool
    escalation_level: int
    rating: int | None
    reopened: bool = Field(..., description="Reopened once already (it cannot be again)")
    created_at: datetime.datetime
    answered_at: datetime.datetime | None
    url: str

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue(timezone.localdate())

    @staticmethod
    def resolve_reopened(obj) -> bool:
        return obj.reopened_once

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.get_absolute_url()


class VoiceAnswerOut(Schema):
    id: int
    text: str
    is_public: bool
    organization: OrgRef
    signer_name: str = Field(..., description="A public answer's signatory (实名); empty when private")
    signer_title: str
    published_at: datetime.datetime | None
    created_at: datetime.datetime


class VoiceEventOut(Schema):
    kind: str
    kind_label: str
    created_at: datetime.datetime
    from_org: OrgRef | None
    to_org: OrgRef | None
    note: str
    internal: bool
    data: dict

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())


class ItemDetailOut(ItemOut):
    body: str
    sender: UserRef | None = Field(None, description="Shown to the handling staff only")
    assignee: UserRef | None = Field(None, description="Shown to the handling staff only")
    answers: list[VoiceAnswerOut]
    events: list[VoiceEventOut] = Field(..., description="The history; internal notes to the handling staff only")

    @staticmethod
    def resolve_sender(obj, context) -> dict | None:
        return {"id": obj.sender_id, "name": str(obj.sender)} if selectors.is_handler(request_user(context), obj) else None

    @staticmethod
    def resolve_assignee(obj, context) -> dict | None:
        if obj.assignee_id is None or not selectors.is_handler(request_user(context), obj):
            return None
        return {"id": obj.assignee_id, "name": str(obj.assignee)}

    @staticmethod
    def resolve_answers(obj) -> list:
        return selectors.answers_of(obj)

    @staticmethod
    def resolve_events(obj, context) -> list:
        return selectors.timeline(obj, staff=selectors.is_handler(request_user(context), obj))


class ItemPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ItemOut]


class ItemIn(Schema):
    organization_id: Id
    kind: ItemKind
    title: Annotated[str, Field(min_length=1, max_length=TITLE_MAX)]
    body: Annotated[str, Field(min_length=1, max_length=BODY_MAX)]
    allow_public: bool = False


class AssignIn(Schema):
    assignee_id: Id
    note: Note = ""


class ForwardIn(Schema):
    to_id: Id = Field(..., description="The parent organization or one below the handling one")
    note: Note = ""


class VoiceAnswerIn(Schema):
    text: Annotated[str, Field(min_length=1, max_length=ANSWER_MAX)]
    public: bool = Field(False, description="Publish under your real name and title (leaders and administrators; if the sender allowed)")


class RateIn(Schema):
    rating: Annotated[int, Field(ge=1, le=5)]


class ReopenIn(Schema):
    reason: Annotated[str, Field(min_length=1, max_length=BODY_MAX)]


class PublicityIn(Schema):
    allow_public: bool


class InboxFilters(PageParams):
    status: Literal["open", "all"] | ItemStatus = "open"
    kind: ItemKind | None = None
    org_id: Id | None = Field(None, description="Only this organization's subtree (404 outside your scope)")
    overdue: bool = False
    mine: bool = Field(False, description="Only items assigned to you")
    q: str = Field("", max_length=64)


class PublicFilters(PageParams):
    kind: ItemKind | None = None
    q: str = Field("", max_length=64)


class PublicAnswerOut(Schema):
    text: str
    signer_name: str
    signer_title: str
    published_at: datetime.datetime


class PublicItemOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    body: str
    organization: OrgRef
    created_at: datetime.date
    answers: list[PublicAnswerOut]

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_created_at(obj) -> datetime.date:
        return obj.created_at.date()

    @staticmethod
    def resolve_answers(obj) -> list:
        return obj.public


class PublicPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[PublicItemOut]


class DashboardFilters(Schema):
    org_id: Id | None = Field(None, description="Only this organization's subtree (404 outside your scope)")


class VoiceKindCount(Schema):
    kind: str
    label: str
    open: int
    overdue: int


class OrgCount(Schema):
    id: int
    code: str
    name: str
    open: int
    overdue: int


class DashboardOut(Schema):
    today: datetime.date
    open: int
    overdue: int
    escalated: int
    answered_30d: int
    mean_rating: float | None
    by_kind: list[VoiceKindCount]
    by_org: list[OrgCount]
    overdue_items: list[ItemOut]


class VoiceRuleOut(Schema):
    kind: str
    organization: OrgRef | None = Field(..., description="Empty: the federation's default")
    working_days: int
    source: str


class VoiceRulePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[VoiceRuleOut]


class VoiceRuleIn(Schema):
    kind: ItemKind
    org_id: Id | None = Field(None, description="Empty: the default (federation administrators)")
    working_days: Annotated[int, Field(ge=1, le=365)] | None = Field(..., description="null removes the organization's own rule")
    source: Annotated[str, Field(max_length=max_length_of(DeadlineRule, "source"))] = ""


class CalendarDayOut(Schema):
    date: datetime.date
    kind: str
    name: str


class CalendarIn(Schema):
    date: datetime.date
    kind: Literal[""] | DayKind = Field(..., description="holiday, workday (调休), or empty to remove the exception")
    name: Annotated[str, Field(max_length=max_length_of(CalendarDay, "name"))] = ""


class CalendarFilters(Schema):
    year: Annotated[int, Field(ge=2000, le=2100)] | None = None
