"""The talent database as JSON: the same selectors and services as the pages. Identifiers are
always masked except in the answer of `POST /people/{id}/reveal`, which is audited. Outside the
caller's scope a person is a 404; in scope without a staff role, a write is a 403."""

import datetime
import enum
from typing import Annotated, Any

from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from ninja import Field, Path, Query, Router, Schema, Status

from kejia.accounts import scope
from kejia.core.api import PageParams, caller, model_field, page_of
from kejia.core.api_auth import AUTH
from kejia.core.errors import DomainError, NotFound, PermissionDenied
from kejia.core.http import client_ip
from kejia.core.validators import normalize_code, resident_id_notice
from kejia.organizations import selectors as org_selectors
from kejia.people import linking, selectors, services
from kejia.people.choices import AchievementKind, Education, Gender, ListingRole, OverseasStatus, ThreeChiefs, TitleLevel
from kejia.people.models import Achievement, Listing, Person
from kejia.reference.choices import Sector
from kejia.reference.models import Discipline, Region
from kejia.reference.selectors import discipline_names, find_discipline, get_region

router = Router(tags=["people"])

MAX_ID = 2**62
ObjectId = Annotated[int, Path(ge=1, le=MAX_ID, description="The object's id")]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _region(code: str | None) -> Region | None:
    if code is None or not code.strip():
        return None
    region = get_region(code)
    if region is None:
        raise DomainError("unknown_region", _("Unknown administrative division code: %(code)s") % {"code": code}, field="region")
    return region


def _disciplines(codes: list[str]) -> list[Discipline]:
    names = discipline_names() if codes else {}
    codes = [find_discipline(c, names) or normalize_code(c) for c in codes]  # a code or a GB/T 13745 name
    found = {d.code: d for d in Discipline.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise DomainError("unknown_discipline", _("Unknown discipline codes: %(codes)s") % {"codes": ", ".join(missing)}, field="disciplines")
    return list(dict.fromkeys(found[c] for c in codes))


def _org(user, pk: int, *, field: str = "org_id"):
    org = org_selectors.visible_organizations(user).filter(pk=pk).first()
    if org is None:
        raise DomainError("unknown_organization", _("No organization with this id is within your reach."), field=field)
    return org


# ---- Schemas ---------------------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    name: str
    name_pinyin: str
    gender: str
    birth_date: datetime.date | None
    resident_id_masked: str = Field(alias="id_masked")
    phone_masked: str
    email: str
    region: str | None = Field(None, alias="region_id")
    employer_name: str
    employer_uscc: str
    sector: str
    is_frontline: bool
    title: str
    title_level: str
    education: str
    expertise: str
    overseas_status: str
    three_chiefs: str
    programmes: list[str]
    consent_at: datetime.datetime | None
    linked: bool

    @staticmethod
    def resolve_linked(obj) -> bool:
        return obj.user_id is not None


class AchievementOut(Schema):
    id: int
    kind: str
    title: str
    year: int | None
    detail: str


class ListingOut(Schema):
    id: int
    organization_id: int
    organization_name: str
    role: str
    note: str

    @staticmethod
    def resolve_organization_name(obj) -> str:
        return obj.organization.name


class PersonDetailOut(PersonOut):
    research_summary: str
    disciplines: list[str]
    achievements: list[AchievementOut]
    listings: list[ListingOut]
    other_listings: int
    can_edit: bool
    notices: list[str] = Field(
        default_factory=list, description="What the request changed on the way in: a 15-digit resident ID number converted to its 18-digit form"
    )

    @staticmethod
    def resolve_notices(obj) -> list[str]:
        return list(getattr(obj, "notices", []))

    @staticmethod
    def resolve_disciplines(obj) -> list[str]:
        return [d.code for d in obj.disciplines.all()]

    @staticmethod
    def resolve_achievements(obj) -> list:
        return list(obj.achievements.all())

    @staticmethod
    def resolve_listings(obj, context) -> list:
        return selectors.person_listings(caller(context["request"]), obj)[0]

    @staticmethod
    def resolve_other_listings(obj, context) -> int:
        return selectors.person_listings(caller(context["request"]), obj)[1]

    @staticmethod
    def resolve_can_edit(obj, context) -> bool:
        return services.can_edit_person(caller(context["request"]), obj)


class AchievementPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[AchievementOut]


class ListingPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ListingOut]


class PersonPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[PersonOut]


class PersonFilters(PageParams):
    q: str = Field("", max_length=64, description="Name, pinyin or employer")
    sector: Sector | None = None
    title_level: TitleLevel | None = None
    frontline: bool | None = None
    discipline: str = Field("", max_length=8, description="A GB/T 13745 code: that discipline and those below it")
    organization: Id | None = Field(None, description="Listed by this organization or one below it")


class ProfilePatch(Schema):
    name: str | None = model_field(Person, "name", None)
    gender: Gender | None = None
    birth_date: datetime.date | None = None
    resident_id: str | None = Field(None, max_length=40)
    phone: str | None = Field(None, max_length=32)
    email: str | None = model_field(Person, "email", None)
    region: str | None = Field(None, max_length=12)
    employer_name: str | None = model_field(Person, "employer_name", None)
    employer_uscc: str | None = Field(None, max_length=40)
    sector: Sector | None = None
    is_frontline: bool | None = None
    title: str | None = model_field(Person, "title", None)
    title_level: TitleLevel | None = None
    education: Education | None = None
    disciplines: list[str] | None = Field(None, max_length=20)
    expertise: str | None = model_field(Person, "expertise", None)
    research_summary: str | None = Field(None, max_length=20_000)
    overseas_status: OverseasStatus | None = None
    three_chiefs: ThreeChiefs | None = None
    programmes: list[Annotated[str, Field(max_length=64)]] | None = Field(None, max_length=20)


class PersonCreateIn(ProfilePatch):
    org_id: Id
    name: str = model_field(Person, "name", ..., min_length=1)
    role: ListingRole = ListingRole.MEMBER
    consent_source: str = model_field(Person, "consent_source", "")


class RevealOut(Schema):
    resident_id: str
    phone: str


class AnonymizeIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500)


class AchievementIn(Schema):
    kind: AchievementKind
    title: str = model_field(Achievement, "title", ...)
    year: int | None = Field(None, ge=1900, le=2100)
    detail: str = Field("", max_length=2000)


class ListingIn(Schema):
    org_id: Id
    role: ListingRole = ListingRole.MEMBER
    note: str = model_field(Listing, "note", "")


class ConsentIn(Schema):
    source: str = Field(..., min_length=1, max_length=64)


class LinkIn(Schema):
    name: str = model_field(Person, "name", ...)
    resident_id: str = Field("", max_length=40)
    phone: str = Field("", max_length=32)


class LinkSentOut(Schema):
    channel: str = Field(..., description="sms or email")
    sent_to: str = Field(..., description="The masked phone or e-mail the code was sent to.")


class LinkCodeIn(Schema):
    code: str = Field(..., max_length=16)


class UnlinkIn(Schema):
    reason: str = Field(..., max_length=200)


def _with_notices(person, fields: dict[str, Any]):
    """The person answered with the notices of what was converted (a 15-digit resident ID number)."""
    notice = resident_id_notice(str(fields.get("resident_id") or ""))
    person.notices = [notice] if notice else []
    return person


def _profile(data: dict[str, Any]) -> tuple[dict[str, Any], list | None]:
    fields: dict[str, Any] = {}
    disciplines = None
    for key, value in data.items():
        if key == "disciplines":
            disciplines = _disciplines(value or [])
        elif key == "region":
            fields["region"] = _region(value)
        elif key in ("resident_id", "phone", "email", "employer_uscc", "employer_name", "title", "expertise", "research_summary", "education"):
            fields[key] = "" if value is None else (value.value if isinstance(value, enum.Enum) else value)
        elif key == "programmes":
            fields[key] = [p.strip() for p in value or [] if p.strip()]
        elif value is None and key not in ("birth_date",):
            raise DomainError("required", _("This field cannot be empty."), field=key)
        else:
            fields[key] = value.value if isinstance(value, enum.Enum) else value
    return fields, disciplines


def _detail(user, pk: int):
    return selectors.get_person_for(user, pk)


def _editable(user, pk: int):
    person = selectors.get_person_for(user, pk)
    if not services.can_edit_person(user, person):
        raise PermissionDenied(_("Only staff of an organization that lists this person, or the person themselves, can change this."))
    return person


# ---- The S&T worker's own profile (before /people/{id}) ------------------------------------------


@router.get("/people/me", response=PersonDetailOut, auth=AUTH, summary="My own profile")
def my_profile(request):
    """The profile linked to your account; 404 until you link it (POST /people/me/link)."""
    person = selectors.my_person(caller(request))
    if person is None:
        raise NotFound(_("Your account is not linked to a profile yet."))
    return person


@router.post("/people/me/link", response={202: LinkSentOut}, auth=AUTH, summary="Link my account to my profile: send a code")
def link_my_account(request, payload: LinkIn):
    """Find your profile by your name and resident ID number (or the phone on file); a code is
    then sent to the phone (else the e-mail) on the profile. A wrong proof is a 400 with code
    `no_match`, too many is a 429 `throttled`; a profile without a phone or e-mail is `no_contact`.
    Finish with POST /people/me/link/confirm."""
    challenge = linking.start_account_link(user=caller(request), ip=client_ip(request), **payload.model_dump())
    return Status(202, {"channel": challenge.channel, "sent_to": challenge.sent_to})


@router.post("/people/me/link/confirm", response=PersonDetailOut, auth=AUTH, summary="Link my account to my profile: the code")
def confirm_link(request, payload: LinkCodeIn):
    """The code sent by POST /people/me/link. A wrong or expired code is a 400 with code `bad_code`.
    A profile linked to another account is moved to yours, and that is audited."""
    return linking.confirm_account_link(user=caller(request), code=payload.code, ip=client_ip(request))


class WillingIn(Schema):
    willing: bool


class WillingOut(Schema):
    willing_to_review: bool


@router.put("/people/me/willing-to-review", response=WillingOut, auth=AUTH, summary="Agree to serve as an expert reviewer, or withdraw")
def set_my_willing_to_review(request, payload: WillingIn):
    """Your own word: with `willing` true you are in the pool of expert reviewers (organizations
    running a call may invite you), false takes you out; audited when it changes. 404 until your
    account is linked to a profile."""
    user = caller(request)
    person = selectors.my_person(user)
    if person is None:
        raise NotFound(_("Your account is not linked to a profile yet."))
    return services.set_willing_to_review(person, actor=user, willing=payload.willing)


@router.patch("/people/me", response=PersonDetailOut, auth=AUTH, summary="Change my own profile")
def update_my_profile(request, payload: ProfilePatch):
    user = caller(request)
    person = selectors.my_person(user)
    if person is None:
        raise NotFound(_("Your account is not linked to a profile yet."))
    fields, disciplines = _profile(payload.model_dump(exclude_unset=True))
    return _with_notices(services.update_person(person, actor=user, disciplines=disciplines, **fields), fields)


# ---- People --------------------------------------------------------------------------------------


@router.get("/people", response=PersonPage, auth=AUTH, summary="Search the talent database")
def list_people(request, filters: Query[PersonFilters]):
    """The people listed by organizations within your scope, masked. `organization` outside your
    scope is a 404."""
    user = caller(request)
    org = org_selectors.get_organization_for(user, filters.organization) if filters.organization else None
    qs = selectors.search_people(
        user,
        text=filters.q,
        sector=filters.sector.value if filters.sector else "",
        title_level=filters.title_level.value if filters.title_level else "",
        frontline=filters.frontline,
        organization=org,
        discipline=normalize_code(filters.discipline),
    )
    return page_of(qs, filters)


@router.post("/people", response={201: PersonDetailOut}, auth=AUTH, summary="Add a person to an organization's list")
def create_person(request, payload: PersonCreateIn):
    """Needs a staff role covering `org_id`. A resident ID number already in the database is a
    400 with code `duplicate_id`: add a listing to that person instead."""
    user = caller(request)
    data = payload.model_dump(exclude_unset=True)
    org = _org(user, data.pop("org_id"))
    role = data.pop("role", ListingRole.MEMBER)
    consent = data.pop("consent_source", "")
    fields, disciplines = _profile(data)
    person = services.create_person(
        actor=user, organization=org, role=role.value if isinstance(role, enum.Enum) else role, consent_source=consent, disciplines=disciplines, **fields
    )
    return Status(201, _with_notices(person, fields))


@router.get("/people/{id}", response=PersonDetailOut, auth=AUTH, summary="One person")
def get_person(request, id: ObjectId):
    return _detail(caller(request), id)


@router.patch("/people/{id}", response=PersonDetailOut, auth=AUTH, summary="Change a profile")
def update_person(request, id: ObjectId, payload: ProfilePatch):
    """Change the fields sent, and only those; history keeps old and new values (identifiers masked)."""
    user = caller(request)
    person = _editable(user, id)
    fields, disciplines = _profile(payload.model_dump(exclude_unset=True))
    return _with_notices(services.update_person(person, actor=user, disciplines=disciplines, **fields), fields)


@router.post("/people/{id}/unlink", response=PersonDetailOut, auth=AUTH, summary="Undo the link of a profile to an account")
def unlink(request, id: ObjectId, payload: UnlinkIn):
    """Staff of an organization listing the person, or the linked account itself. An unlinked
    profile is a 400 with code `not_linked`."""
    user = caller(request)
    person = _detail(user, id)
    if not linking.can_unlink(user, person):
        raise PermissionDenied(_("Only staff of an organization that lists this person, or the person themselves, can change this."))
    return linking.unlink_account(person, actor=user, reason=payload.reason, ip=client_ip(request))


@router.post("/people/{id}/reveal", response=RevealOut, auth=AUTH, summary="The unmasked identifiers (audited)")
def reveal(request, id: ObjectId, response: HttpResponse):
    """Needs a staff role in an organization that lists the person (or being that person); every
    call writes an audit row. The answer is never stored by a cache (`Cache-Control: no-store`)."""
    user = caller(request)
    add_never_cache_headers(response)
    return services.reveal_person_identifiers(_detail(user, id), actor=user, ip=client_ip(request))


@router.post("/people/{id}/anonymize", response=PersonOut, auth=AUTH, summary="Anonymize on a deletion request")
def anonymize(request, id: ObjectId, payload: AnonymizeIn):
    user = caller(request)
    return services.anonymize_person(_editable(user, id), actor=user, reason=payload.reason)


@router.post("/people/{id}/consent", response=PersonOut, auth=AUTH, summary="Record consent")
def consent(request, id: ObjectId, payload: ConsentIn):
    user = caller(request)
    return services.record_consent(_editable(user, id), actor=user, source=payload.source)


@router.get("/people/{id}/achievements", response=AchievementPage, auth=AUTH, summary="A person's achievements")
def list_achievements(request, id: ObjectId, page: Query[PageParams]):
    """Newest year first. Paginated with `limit`/`offset`; `count` is the total before pagination."""
    return page_of(_detail(caller(request), id).achievements.order_by("-year", "id"), page)


@router.post("/people/{id}/achievements", response={201: AchievementOut}, auth=AUTH, summary="Add an achievement")
def add_achievement(request, id: ObjectId, payload: AchievementIn):
    user = caller(request)
    person = _editable(user, id)
    item = services.add_achievement(person, actor=user, kind=payload.kind.value, title=payload.title, year=payload.year, detail=payload.detail)
    return Status(201, item)


@router.delete("/people/{id}/achievements/{item_id}", response={204: None}, auth=AUTH, summary="Remove an achievement")
def remove_achievement(request, id: ObjectId, item_id: ObjectId):
    user = caller(request)
    person = _editable(user, id)
    services.remove_achievement(selectors.get_achievement_for(person, item_id), actor=user)
    return Status(204, None)


@router.get("/people/{id}/listings", response=ListingPage, auth=AUTH, summary="Organizations that list a person")
def list_listings(request, id: ObjectId, page: Query[PageParams]):
    """Only the listings within your scope (all of them for yourself), in tree order. Paginated with
    `limit`/`offset`; `count` is the total before pagination."""
    user = caller(request)
    return page_of(selectors.person_listings(user, _detail(user, id))[0], page)


@router.post("/people/{id}/listings", response={201: ListingOut}, auth=AUTH, summary="List a person in an organization")
def add_listing(request, id: ObjectId, payload: ListingIn):
    user = caller(request)
    person = _detail(user, id)
    org = _org(user, payload.org_id)
    if not scope.can_manage(user, org):
        raise PermissionDenied(_("You can only list people in an organization you manage."))
    return Status(201, services.add_listing(person, actor=user, organization=org, role=payload.role.value, note=payload.note))


@router.delete("/people/{id}/listings/{item_id}", response={204: None}, auth=AUTH, summary="Remove a listing")
def remove_listing(request, id: ObjectId, item_id: ObjectId):
    user = caller(request)
    person = _detail(user, id)
    services.remove_listing(selectors.get_listing_for(user, person, item_id), actor=user)
    return Status(204, None)
