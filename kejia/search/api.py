from ninja import Field, Query, Router, Schema

from kejia.core.api import MAX_OFFSET, PageParams
from kejia.core.api_auth import AUTH
from kejia.search.services import MAX_LIMIT, MAX_TEXT_CHARS, ExpertFilters, affinity, find_experts

router = Router(tags=["search"])


class FiltersIn(Schema):
    sector: list[str] = []
    title_level: list[str] = []
    region: str | None = None
    discipline: list[str] = []
    organization: str | None = None
    frontline: bool | None = None
    age_min: int | None = None
    age_max: int | None = None


class ExpertOut(Schema):
    id: int
    name: str
    employer: str
    title: str
    title_level: str
    sector: str
    region: str
    disciplines: list[str]
    is_frontline: bool
    score: float
    matched: list[str]
    matched_fields: dict[str, list[str]] = Field(
        default_factory=dict, description="why it matched: text field (expertise, achievements, summary, disciplines, name, employer) → the words found there"
    )


class ExpertsOut(Schema):
    total: int
    terms: list[str]
    items: list[ExpertOut]


class SearchPage(PageParams):
    limit: int = Field(10, ge=1, le=MAX_LIMIT, description=f"Results per page (at most {MAX_LIMIT})")


class AffinityIn(Schema):
    text: str = Field(..., description=f"The pasted text: at most {MAX_TEXT_CHARS} characters (longer is refused, never cut)")
    limit: int = Field(10, ge=1, le=MAX_LIMIT, description=f"Results per page (at most {MAX_LIMIT})")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Results to skip (the next page: offset + limit)")
    filters: FiltersIn = FiltersIn()


def _out(results) -> dict:
    return {"total": results.total, "terms": [w.shown for w in results.terms], "items": results.as_list()}


@router.get("/experts", response=ExpertsOut, auth=AUTH)
def search_experts(request, filters: Query[FiltersIn], page: Query[SearchPage], q: str = ""):
    """Search the talent database in the caller's scope by Chinese or English words (BM25), with
    filters. Results carry masked data only; `matched` lists the words each person matched.
    `q` has at most MAX_TEXT_CHARS (20 000) characters: longer is refused (400), never cut."""
    results = find_experts(request.auth, text=q, filters=ExpertFilters(**filters.dict()), limit=page.limit, offset=page.offset)
    return _out(results)


@router.post("/experts/affinity", response=ExpertsOut, auth=AUTH)
def experts_for_text(request, payload: AffinityIn):
    """Paste a text (a project description, an enterprise's need): the experts closest to it, with
    the key terms extracted from it and the ones each expert covers."""
    results = affinity(payload.text, user=request.auth, limit=payload.limit, offset=payload.offset, filters=ExpertFilters(**payload.filters.dict()))
    return _out(results)
