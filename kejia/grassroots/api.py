"""The JSON door onto grassroots key staff: the categories, the counts of an area against its
targets, and setting a target. Thin: scope and rules are the selectors' and services' job."""

from ninja import Router, Schema
from pydantic import Field

from kejia.core.api_auth import AUTH
from kejia.grassroots import selectors, services
from kejia.organizations.api_schemas import ObjectId
from kejia.organizations.selectors import get_organization_for

router = Router(tags=["grassroots"])


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    is_chief: bool
    source: str
    is_active: bool


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


class GrassrootsTargetIn(Schema):
    target: int = Field(..., ge=0, le=1_000_000)


class GrassrootsTargetOut(Schema):
    organization_id: int
    target: int


@router.get("/grassroots/categories", response=list[CategoryOut], auth=AUTH, summary="Key staff categories")
def list_categories(request):
    """The categories of grassroots key staff (三长 and the others of seed 002 §(7)), as administrators keep them."""
    return list(selectors.active_categories())


@router.get("/grassroots/orgs/{id}/counts", response=list[AreaOut], auth=AUTH, summary="Key staff per county and township")
def area_counts(request, id: ObjectId):
    """Every county and township association in this organization's subtree within your scope, with
    the key staff taken in below it and its target. 404 outside your scope."""
    org = get_organization_for(request.auth, id)
    return selectors.counts_by_area(request.auth, org)


@router.put("/grassroots/orgs/{id}/target", response=GrassrootsTargetOut, auth=AUTH, summary="Set a county's or township's target")
def set_target(request, id: ObjectId, payload: GrassrootsTargetIn):
    """An administrator of the association or of one above it sets how many key staff it should have taken in."""
    org = get_organization_for(request.auth, id)
    row = services.set_key_staff_target(org, actor=request.auth, target=payload.target)
    return {"organization_id": org.pk, "target": row.target}
