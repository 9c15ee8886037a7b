"""The JSON door onto grassroots key staff: the categories, the counts of an area against its
targets, setting a target, and recording and ending a person's key staff record. Thin: scope and rules are the selectors' and services' job."""

import datetime

from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from kejia.core.api import PageParams, page_of
from kejia.core.api_auth import AUTH
from kejia.core.errors import DomainError, NotFound
from kejia.core.sources import in_words
from kejia.grassroots import selectors, services
from kejia.organizations.api_schemas import ObjectId
from kejia.organizations.selectors import get_organization_for, visible_organizations
from kejia.people.selectors import get_person_for

router = Router(tags=["grassroots"])


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    is_chief: bool
    source: str = Field(..., description="The policy text the category comes from, by its title")
    is_active: bool

    @staticmethod
    def resolve_source(obj) -> str:
        return in_words(obj.source)


class AreaOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    total: int = Field(..., description="Key staff taken in by grassroots bodies in its subtree (current records)")
    chiefs: int = Field(..., description="Of them, the 三长 (categories marked as such)")
    by_category: dict[int, int] = Field(..., description="Category id → key staff")
    target: int | None
    reached: bool | None = Field(..., description="total ≥ target; null when no target is set")


class AreaPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[AreaOut]


class GrassrootsTargetIn(Schema):
    target: int = Field(..., ge=0, le=1_000_000)


class GrassrootsTargetOut(Schema):
    organization_id: int
    target: int


@router.get("/grassroots/categories", response=list[CategoryOut], auth=AUTH, summary="Key staff categories")
def list_categories(request):
    """The categories of grassroots key staff (三长 and the others of seed 002 §(7)), as administrators keep them."""
    return list(selectors.active_categories())


@router.get("/grassroots/orgs/{id}/counts", response=AreaPage, auth=AUTH, summary="Key staff per county and township")
def area_counts(request, id: ObjectId, page: Query[PageParams]):
    """Every county and township association in this organization's subtree within your scope, with
    the key staff taken in below it and its target. 404 outside your scope. Paginated with
    `limit`/`offset`; `count` is the total before pagination."""
    org = get_organization_for(request.auth, id)
    return page_of(selectors.counts_by_area(request.auth, org), page)


@router.put("/grassroots/orgs/{id}/target", response=GrassrootsTargetOut, auth=AUTH, summary="Set a county's or township's target")
def set_target(request, id: ObjectId, payload: GrassrootsTargetIn):
    """An administrator of the association or of one above it sets how many key staff it should have taken in."""
    org = get_organization_for(request.auth, id)
    row = services.set_key_staff_target(org, actor=request.auth, target=payload.target)
    return {"organization_id": org.pk, "target": row.target}


class KeyStaffIn(Schema):
    person_id: int = Field(..., ge=1, description="A person within your reach")
    category_id: int = Field(..., ge=1, description="An active key staff category (GET /api/grassroots/categories)")
    organization_id: int | None = Field(None, ge=1, description="The grassroots body that took them in; null when none has yet")
    joined_on: datetime.date | None = None
    note: str = Field("", max_length=128, description="Post or note")


class KeyStaffEndIn(Schema):
    ended_on: datetime.date | None = Field(None, description="Default: today")


class KeyStaffOut(Schema):
    id: int
    person_id: int
    person_name: str
    category_id: int
    category: str
    is_chief: bool
    organization_id: int | None
    organization_name: str | None
    joined_on: datetime.date | None
    ended_on: datetime.date | None
    note: str

    @staticmethod
    def resolve_person_name(obj) -> str:
        return obj.person.name

    @staticmethod
    def resolve_category(obj) -> str:
        return obj.category.name

    @staticmethod
    def resolve_is_chief(obj) -> bool:
        return obj.category.is_chief

    @staticmethod
    def resolve_organization_name(obj) -> str | None:
        return obj.organization.name if obj.organization_id else None


class KeyStaffPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[KeyStaffOut]


@router.get("/grassroots/orgs/{id}/key-staff", response=KeyStaffPage, auth=AUTH, summary="Key staff taken in below an organization")
def list_key_staff(request, id: ObjectId, page: Query[PageParams]):
    """Current records of the grassroots bodies in this organization's subtree within your scope,
    newest first. 404 outside your scope."""
    user = request.auth
    org = get_organization_for(user, id)
    return page_of(selectors.key_staff_under(user, org).order_by("-id"), page)


@router.post("/grassroots/key-staff", response={201: KeyStaffOut}, auth=AUTH, summary="Record a person as key staff")
def record_key_staff(request, payload: KeyStaffIn):
    """Record that a person is key staff of a category (三长 and the others), taken in by a grassroots
    body of your scope (or by none yet). An id that names nothing within your reach is a 400 naming
    the field; a body you may see but not manage is a 403."""
    user = request.auth
    try:
        person = get_person_for(user, payload.person_id)
    except NotFound:
        raise DomainError("unknown_person", _("No person with this id is within your reach."), field="person_id") from None
    category = selectors.active_categories().filter(pk=payload.category_id).first()
    if category is None:
        raise DomainError("unknown_category", _("No key staff category in use has this id."), field="category_id")
    organization = None
    if payload.organization_id is not None:
        organization = visible_organizations(user).filter(pk=payload.organization_id).first()
        if organization is None:
            raise DomainError("unknown_organization", _("No organization with this id is within your reach."), field="organization_id")
    try:
        record = services.record_key_staff(person, actor=user, category=category, organization=organization, joined_on=payload.joined_on, note=payload.note)
    except DomainError as exc:
        exc.field = {"category": "category_id", "organization": "organization_id"}.get(exc.field, exc.field)
        raise
    return Status(201, selectors.get_key_staff_for(user, record.pk))


@router.get("/grassroots/key-staff/{id}", response=KeyStaffOut, auth=AUTH, summary="One key staff record")
def get_key_staff(request, id: ObjectId):
    """404 outside your scope: the body that took the person in, or the person when no body has."""
    return selectors.get_key_staff_for(request.auth, id)


@router.post("/grassroots/key-staff/{id}/end", response=KeyStaffOut, auth=AUTH, summary="End a key staff record")
def end_key_staff(request, id: ObjectId, payload: KeyStaffEndIn | None = None):
    """The person left the category or the body: the record stays, with the day it ended (no
    longer counted). Staff of the body (or above) end it; a record already ended is a 400."""
    user = request.auth
    record = selectors.get_key_staff_for(user, id)
    services.end_key_staff(record, actor=user, ended_on=(payload or KeyStaffEndIn()).ended_on)
    return selectors.get_key_staff_for(user, id)
