"""The organization tree, coverage, filings and the audit log as JSON.

Every endpoint is a thin door: parse the input, call one selector or service, shape the answer.
Scope comes from the selectors: an object outside the caller's scope is a 404 (its existence is
not revealed), an object in scope without the right role is a 403. Ids and codes in a body that
name nothing the caller may use are a 400 naming the field; an organization id in a query filter
(`within`, `organization`) is a 404 outside the scope, as on the HTML pages."""

import enum
from typing import Any

from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Status

from kejia.accounts import scope
from kejia.accounts.models import Role
from kejia.core.api import PageParams, caller, fields_named, page_of
from kejia.core.api_auth import AUTH
from kejia.core.errors import DomainError, NotFound, PermissionDenied
from kejia.core.validators import normalize_code
from kejia.organizations import selectors, services
from kejia.organizations.api_schemas import (
    ApproveIn,
    AuditFilters,
    AuditPage,
    CoverageOut,
    FilingFilters,
    FilingIn,
    FilingOut,
    FilingPage,
    MoveIn,
    ObjectId,
    OrgChildPage,
    OrgCreateIn,
    OrgDetailOut,
    OrgFilters,
    OrgOut,
    OrgPage,
    OrgPatchIn,
    OrgRolePage,
    ReturnIn,
    StatusIn,
    SubtreeCountsOut,
)
from kejia.organizations.kinds import TERRITORIAL_LEVEL, OrgKind
from kejia.organizations.models import Filing, Institution, Organization
from kejia.reference.models import Discipline, Region
from kejia.reference.selectors import get_region

router = Router(tags=["organizations"])


# ---- Input helpers -------------------------------------------------------------------------


def _region(code: str | None, *, field: str = "region") -> Region | None:
    if code is None or not code.strip():
        return None
    region = get_region(code)  # public reference data
    if region is None:
        raise DomainError("unknown_region", _("Unknown administrative division code: %(code)s") % {"code": code}, field=field)
    return region


def _disciplines(codes: list[str], *, field: str = "disciplines") -> list[Discipline]:
    codes = [normalize_code(c) for c in codes]
    found = {d.code: d for d in Discipline.objects.filter(code__in=codes)}  # public reference data
    missing = [c for c in codes if c not in found]
    if missing:
        raise DomainError("unknown_discipline", _("Unknown discipline codes: %(codes)s") % {"codes": ", ".join(missing)}, field=field)
    return [found[c] for c in codes]


def _host(pk: int | None, *, field: str = "host_id") -> Institution | None:
    if pk is None:
        return None
    host = Institution.objects.filter(pk=pk).first()  # host units are public: the base of coverage
    if host is None:
        raise DomainError("unknown_host", _("No host unit has this id."), field=field)
    return host


def _visible_org(user, pk: int | None, *, field: str) -> Organization | None:
    """An organization named in a body or a query. Unknown and out-of-scope answer alike."""
    if pk is None:
        return None
    org = selectors.visible_organizations(user).filter(pk=pk).first()
    if org is None:
        raise DomainError("unknown_organization", _("No organization with this id is within your reach."), field=field)
    return org


def _filter_org(user, pk: int | None, *, field: str) -> Organization | None:
    """An organization named in a query filter: outside the scope it is a 404, as on the pages."""
    if pk is None:
        return None
    try:
        return selectors.get_organization_for(user, pk)
    except NotFound as exc:
        exc.field = field
        raise


def _guiding_association(pk: int) -> Organization:
    """Founders file to a territorial association they need not belong to: those are public."""
    org = Organization.objects.filter(pk=pk, kind__in=list(TERRITORIAL_LEVEL)).select_related("region").first()
    if org is None:
        raise DomainError("unknown_organization", _("Choose an active territorial association as the guiding association."), field="parent_id")
    return org


# ---- Organizations -------------------------------------------------------------------------

# In a PATCH, null clears these fields and empties these texts; any other field cannot be null.
NULLABLE_FIELDS = {"region", "founded_on", "term_start", "term_end", "host_id", "is_independent_unit", "has_party_group"}
BLANKABLE_FIELDS = {"short_name", "uscc", "address", "website", "description", "leader_in_charge", "leader_in_contact"}


def _org_fields(data: dict[str, Any]) -> tuple[dict[str, Any], list[Discipline] | None]:
    """Body values as service arguments: codes and ids resolved, each failure naming its field."""
    fields: dict[str, Any] = {}
    disciplines = None
    for key, value in data.items():
        if value is None and key not in NULLABLE_FIELDS:
            if key not in BLANKABLE_FIELDS:
                raise DomainError("required", _("This field cannot be empty."), field=key)
            value = ""
        if key == "region":
            fields["region"] = _region(value)
        elif key == "host_id":
            fields["host"] = _host(value)
        elif key == "disciplines":
            disciplines = _disciplines(value or [])
        else:
            fields[key] = value.value if isinstance(value, enum.Enum) else value
    return fields, disciplines


@router.get("/orgs", response=OrgPage, auth=AUTH, summary="Search organizations")
def list_organizations(request, filters: Query[OrgFilters]):
    """Organizations within your scope, in tree order, filtered by text, kind, status, region
    (a division code: that division and the ones below) and `within` (an organization id: its
    subtree). Paginated with `limit`/`offset`; `count` is the total before pagination."""
    user = caller(request)
    qs = selectors.search_organizations(
        user,
        text=filters.q,
        kind=filters.kind.value if filters.kind else "",
        status=filters.status.value if filters.status else "",
        region=_region(filters.region),
        within=_filter_org(user, filters.within, field="within"),
    )
    return page_of(qs, filters)


@router.get("/orgs/{id}", response=OrgDetailOut, auth=AUTH, summary="One organization")
def get_organization(request, id: ObjectId):
    """One organization with its disciplines and the ancestors within your scope (the
    breadcrumb). `can_manage` says whether you may change it."""
    return selectors.get_organization_for(caller(request), id)


@router.get("/orgs/{id}/children", response=OrgChildPage, auth=AUTH, summary="Children of an organization")
def list_children(request, id: ObjectId, page: Query[PageParams]):
    """The organizations guided directly by this one, each with its own number of children, by
    kind and name. Paginated with `limit`/`offset`; `count` is the total before pagination."""
    user = caller(request)
    return page_of(selectors.children_of(user, selectors.get_organization_for(user, id)).order_by("kind", "name", "pk"), page)


@router.get("/orgs/{id}/subtree-counts", response=SubtreeCountsOut, auth=AUTH, summary="Organizations below, by kind")
def subtree_counts(request, id: ObjectId):
    """How many organizations of each kind the subtree holds, this organization included."""
    org = selectors.get_organization_for(caller(request), id)
    counts = selectors.subtree_counts(org)
    kinds = [{"kind": kind, "kind_label": str(OrgKind(kind).label) if kind in OrgKind.values else kind, "count": n} for kind, n in sorted(counts.items())]
    return {"organization_id": org.pk, "total": sum(counts.values()), "kinds": kinds}


@router.post("/orgs/{id}/children", response={201: OrgDetailOut}, auth=AUTH, summary="Create an organization under this one")
def create_child(request, id: ObjectId, payload: OrgCreateIn):
    """Create an organization guided by this one. Needs a staff or administrator role covering
    it. Territorial associations must sit on a division of their own level inside the parent's;
    a legal person must give a valid unified social credit code. Errors name the field."""
    user = caller(request)
    parent = selectors.get_organization_for(user, id, manage=True)
    fields, disciplines = _org_fields(payload.model_dump())
    with fields_named({"host": "host_id"}):
        org = services.create_organization(actor=user, parent=parent, disciplines=disciplines, **fields)
    return Status(201, org)


@router.patch("/orgs/{id}", response=OrgDetailOut, auth=AUTH, summary="Change an organization")
def update_organization(request, id: ObjectId, payload: OrgPatchIn):
    """Change the fields sent, and only those; the audit log keeps the old and new values.
    `disciplines` replaces the whole list when sent."""
    user = caller(request)
    org = selectors.get_organization_for(user, id, manage=True)
    fields, disciplines = _org_fields(payload.model_dump(exclude_unset=True))
    with fields_named({"host": "host_id"}):
        return services.update_organization(org, actor=user, disciplines=disciplines, **fields)


@router.post("/orgs/{id}/status", response=OrgOut, auth=AUTH, summary="Change an organization's status")
def change_status(request, id: ObjectId, payload: StatusIn):
    """Active, dormant, exiting or dissolved. Dissolved is final, and only an organization with
    nothing active below it can be dissolved. An illegal change is a 409."""
    user = caller(request)
    org = selectors.get_organization_for(user, id, manage=True)
    return services.change_organization_status(org, actor=user, status=payload.status.value, reason=payload.reason)


@router.post("/orgs/{id}/move", response=OrgOut, auth=AUTH, summary="Move an organization under another")
def move_organization(request, id: ObjectId, payload: MoveIn):
    """Place the organization and everything below it under `new_parent_id`. You must manage
    both; an organization cannot go under its own branches."""
    user = caller(request)
    org = selectors.get_organization_for(user, id, manage=True)
    new_parent = _visible_org(user, payload.new_parent_id, field="new_parent_id")
    with fields_named({"parent": "new_parent_id"}):
        return services.move_organization(org, actor=user, new_parent=new_parent)


@router.get("/orgs/{id}/roles", response=OrgRolePage, auth=AUTH, summary="Who holds a role in an organization")
def list_roles(request, id: ObjectId, page: Query[PageParams]):
    """The staff, leaders and administrators of this organization (not of those below it), as
    on its roles page: anyone whose scope covers it may see who holds a role there. Paginated
    with `limit`/`offset`; `count` is the total before pagination."""
    org = selectors.get_organization_for(caller(request), id)
    return page_of(Role.objects.filter(organization=org).select_related("user").order_by("kind", "user__username", "pk"), page)


# ---- Coverage ------------------------------------------------------------------------------


@router.get("/coverage", response=CoverageOut, auth=AUTH, summary="Blind spots of a region")
def coverage(request, region: str = Query(..., max_length=12, description="Administrative division code")):
    """Counties and townships under the division with no active association of their level, and
    the universities, parks, research institutes and large enterprises there with none
    (盲区白地). Only divisions of the territorial associations in your scope can be analysed;
    another division answers 404."""
    division = _region(region)
    if division is None:
        raise DomainError("required", _("Choose the region."), field="region")
    result = selectors.coverage(caller(request), division)
    institutions = []
    for row in result["institutions"]:
        gaps = list(row["gaps"])
        institutions.append({"kind": row["kind"].value, "kind_label": str(row["kind"].label), "total": row["total"], "gap_count": len(gaps), "gaps": gaps})
    return {**result, "institutions": institutions}


# ---- Filings (备案) ------------------------------------------------------------------------


def _filing_data(payload: FilingIn) -> dict[str, Any]:
    data = payload.model_dump()
    data["kind"] = payload.kind.value
    data["parent"] = _guiding_association(data.pop("parent_id"))
    data["region"] = _region(data["region"])
    if data["region"] is None:
        raise DomainError("required", _("Choose the region."), field="region")
    return data


def _own_filing(user, pk: int) -> Filing:
    filing = selectors.get_filing_for(user, pk)
    if filing.submitted_by_id != user.pk:
        raise PermissionDenied(_("Only the person who submitted a filing can change or withdraw it."))
    return filing


def _filing_to_decide(user, pk: int) -> Filing:
    filing = selectors.get_filing_for(user, pk)
    if not scope.can_manage(user, filing.parent):
        raise PermissionDenied()
    return filing


@router.get("/filings", response=FilingPage, auth=AUTH, summary="Filings to decide and filings you submitted")
def list_filings(request, filters: Query[FilingFilters]):
    """Filings of new enterprise and park associations. `box=decide`: those filed to
    associations you manage; `box=mine`: those you submitted; without `box`, both. Newest first."""
    user = caller(request)
    if filters.box == "decide":
        qs = selectors.filings_to_decide(user)
    elif filters.box == "mine":
        qs = selectors.my_filings(user)
    else:
        qs = selectors.filings_to_decide(user) | selectors.my_filings(user)
    if filters.status:
        qs = qs.filter(status=filters.status.value)
    return page_of(qs.order_by("-created_at", "-id"), filters)


@router.post("/filings", response={201: FilingOut}, auth=AUTH, summary="File a new enterprise or park association")
def submit_filing(request, payload: FilingIn):
    """Anyone logged in may file for the founders (002 §(8)). The guiding association (a
    territorial one) decides. The contact phone is stored encrypted and only shown masked."""
    user = caller(request)
    with fields_named({"parent": "parent_id"}):
        return Status(201, services.submit_filing(actor=user, **_filing_data(payload)))


@router.get("/filings/{id}", response=FilingOut, auth=AUTH, summary="One filing")
def get_filing(request, id: ObjectId):
    """Seen by the person who submitted it and by staff whose scope covers the guiding association."""
    return selectors.get_filing_for(caller(request), id)


@router.put("/filings/{id}", response=FilingOut, auth=AUTH, summary="Correct and send again a returned filing")
def resubmit_filing(request, id: ObjectId, payload: FilingIn):
    """Only the submitter, and only while the filing is returned; the whole filing is sent."""
    user = caller(request)
    filing = _own_filing(user, id)
    with fields_named({"parent": "parent_id"}):
        return services.resubmit_filing(filing, actor=user, **_filing_data(payload))


@router.post("/filings/{id}/approve", response=FilingOut, auth=AUTH, summary="Approve a filing")
def approve_filing(request, id: ObjectId, payload: ApproveIn | None = None):
    """Staff of the guiding association (not the submitter) approve a submitted filing: the
    association is created under the guiding one, tied to its host unit. `code` is optional."""
    user = caller(request)
    filing = _filing_to_decide(user, id)
    return services.approve_filing(filing, actor=user, code=payload.code.strip() if payload else "")


@router.post("/filings/{id}/return", response=FilingOut, auth=AUTH, summary="Return a filing for changes")
def return_filing(request, id: ObjectId, payload: ReturnIn):
    """Send a submitted filing back to its submitter with the reason, so the founders can fix it."""
    user = caller(request)
    filing = _filing_to_decide(user, id)
    return services.return_filing(filing, actor=user, reason=payload.reason)


@router.post("/filings/{id}/withdraw", response=FilingOut, auth=AUTH, summary="Withdraw a filing")
def withdraw_filing(request, id: ObjectId):
    """The submitter withdraws a filing that has not been decided yet."""
    user = caller(request)
    return services.withdraw_filing(_own_filing(user, id), actor=user)


# ---- Audit log -----------------------------------------------------------------------------


@router.get("/audit", response=AuditPage, auth=AUTH, summary="The audit log of your scope")
def list_audit_events(request, filters: Query[AuditFilters]):
    """Every write made in organizations you manage (staff or administrator role), newest first,
    with old and new values. Filter by `action` and by `organization` (its subtree)."""
    user = caller(request)
    qs = selectors.visible_audit_events(user)
    if filters.action:
        qs = qs.filter(action=filters.action)
    org = _filter_org(user, filters.organization, field="organization")
    if org is not None:
        qs = qs.filter(org_path__descends=org.path)
    return page_of(qs, filters)
