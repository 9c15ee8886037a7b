from django.db.models import QuerySet

from kejia.reference.models import Discipline, Region


def region_by_code(code: str | None) -> Region | None:
    """The administrative division with this code (surrounding spaces ignored), or None for a blank
    or unknown one. Every app looks a division up here; a caller that takes pasted codes
    normalizes them first (kejia.core.validators.normalize_code)."""
    code = str(code or "").strip()
    return Region.objects.filter(code=code).first() if code else None


def region_children(code: str | None) -> QuerySet[Region]:
    if not code:
        return Region.objects.filter(level=1)
    return Region.objects.filter(parent_id=code)


def find_regions(text: str, *, within: Region | None = None, limit: int = 20) -> QuerySet[Region]:
    qs = Region.objects.all()
    if within is not None:
        qs = qs.filter(path__descends=within.path)
    text = text.strip()
    if text.isdigit():
        qs = qs.filter(code__startswith=text)
    elif text:
        qs = qs.filter(full_name__contains=text)
    return qs.order_by("level", "code")[:limit]


def disciplines() -> QuerySet[Discipline]:
    return Discipline.objects.all()
