from ninja import Router, Schema

from kejia.reference import selectors

router = Router(tags=["reference"])


class RegionOut(Schema):
    code: str
    name: str
    full_name: str
    level: int
    parent_id: str | None


class DisciplineOut(Schema):
    code: str
    name: str
    name_en: str
    level: int
    parent_id: str | None


@router.get("/regions", response=list[RegionOut])
def regions(request, parent: str = "", q: str = ""):
    """Children of a division (provinces when no parent), or a search by name or code prefix."""
    if q:
        return list(selectors.find_regions(q, limit=50))
    return list(selectors.region_children(parent or None))


@router.get("/disciplines", response=list[DisciplineOut])
def disciplines(request):
    """GB/T 13745 disciplines."""
    return list(selectors.disciplines())
