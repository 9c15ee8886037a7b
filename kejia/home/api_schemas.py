"""The shapes of the home API (kejia/home/api.py). Public answers carry only public data of active
organizations (no credit code, staffing, party data, roles or people); the worker's home carries
the caller's own things, persons as id and name only."""

import datetime
from decimal import Decimal

from ninja import Field, Schema

from kejia.memberships.api_schemas import PersonRef
from kejia.organizations.api_schemas import RegionRef


class DisciplineRef(Schema):
    code: str
    name: str


class EventRef(Schema):
    id: int
    title: str
    starts_at: datetime.datetime | None = None
    organization_id: int | None = None
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.get_absolute_url()


class PublicOrgOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    kind_label: str
    region: RegionRef | None
    url: str
    events: list[EventRef] = Field(default_factory=list, description="Its next public events (up to 3)")


class FindOut(Schema):
    region: RegionRef | None
    discipline: DisciplineRef | None
    chain: list[PublicOrgOut] = Field(description="Territorial associations of the division's chain, top first")
    societies: list[PublicOrgOut]
    societies_total: int
    grassroots: list[PublicOrgOut] = Field(description="Township, community, enterprise, park, university … associations inside the division")
    grassroots_total: int


class VolunteerTotalsOut(Schema):
    """Volunteer service of the organization's subtree (confirmed services only)."""

    teams: int
    volunteers: int
    services: int
    hours: Decimal
    people_served: int


class HomePublicAnswerOut(Schema):
    text: str
    signer_name: str
    signer_title: str
    published_at: datetime.datetime | None


class PublicQuestionOut(Schema):
    """A question its sender allowed to publish, with its public answers (never the sender)."""

    id: int
    kind: str
    title: str
    answers: list[HomePublicAnswerOut]

    @staticmethod
    def resolve_answers(obj) -> list:
        return obj.public


class AssociationOut(PublicOrgOut):
    """The public page: the list entry's fields (its events: the next ten) and what the page adds."""

    address: str
    website: str
    description: str
    parent: PublicOrgOut | None
    disciplines: list[DisciplineRef]
    children: list[PublicOrgOut]
    children_total: int
    events: list[EventRef]  # required here: the page's next ten
    volunteers: VolunteerTotalsOut | None
    answers: list[PublicQuestionOut]


class MembershipRef(Schema):
    id: int
    society_id: int
    society_name: str
    status: str
    number: str


class RegistrationRef(Schema):
    id: int
    status: str
    event: EventRef


class ItemRef(Schema):
    """A suggestion (voice item) or a survey: id, title, state and the page to open."""

    id: int
    title: str
    status: str = ""
    url: str


class ServiceRef(Schema):
    id: int
    date: datetime.date
    team_name: str
    hours: Decimal | None


class TodoItemOut(Schema):
    """One thing to do: `due_on` a deadline (or, with `happens`, the day an event takes place),
    `days_left` negative when overdue; `waiting_days` since it came in; `when` the same in words."""

    title: str
    url: str
    detail: str
    due_on: datetime.date | None
    days_left: int | None
    overdue: bool
    happens: bool
    waiting_days: int | None
    when: str


class TodoSectionOut(Schema):
    key: str
    label: str
    count: int
    overdue: int
    url: str
    items: list[TodoItemOut]


class TodoGroupOut(Schema):
    key: str
    label: str
    count: int
    overdue: int
    sections: list[TodoSectionOut]


class HomeOut(Schema):
    person: PersonRef | None
    memberships: list[MembershipRef]
    registrations: list[RegistrationRef]
    volunteer_hours: Decimal
    services: list[ServiceRef]
    suggestions: list[ItemRef]
    surveys: list[ItemRef]
    recommended: list[EventRef]
    todo: list[TodoGroupOut]  # a staff member's, leader's or administrator's to-do; empty for a S&T worker
