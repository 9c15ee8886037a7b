import re
import unicodedata

from django.db.models import Q, QuerySet

from kejia.core.validators import normalize_code
from kejia.reference.models import Discipline, Region


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


# -- disciplines by code or by name (GB/T 13745) --------------------------------------------------

# What a discipline's name is compared without: spaces, punctuation, and the joining words people
# add or drop (计算机科学与技术 is 计算机科学技术; 畜牧兽医科学 is 畜牧、兽医科学).
_NAME_NOISE = re.compile(r"[\s、，,·・.．\-－—–_/()（）【】\[\]\"'“”与和及]")
_CODE_FIRST = re.compile(r"(\d{3}(?:\d{2})?)(?:\s*[-－—–.、:：_]?\s*(.+))?")
_CODE_LAST = re.compile(r"(.+?)\s*[(（]?\s*(\d{3}(?:\d{2})?)\s*[)）]?")


def _name_key(text: str) -> str:
    return _NAME_NOISE.sub("", text).lower()


def discipline_names() -> dict[str, str]:
    """The look-up table of find_discipline (one query): every code → itself, every name (Chinese
    and English, as compared) → its code. Build it once for many look-ups (an import)."""
    table: dict[str, str] = {}
    for code, name, name_en in Discipline.objects.values_list("code", "name", "name_en").order_by("-level", "code"):
        table[code] = code
        for text in (name, name_en):
            if text:
                table[_name_key(unicodedata.normalize("NFKC", text))] = code  # level 1 last: it wins a clash
    return table


def find_discipline(text: str, names: dict[str, str] | None = None) -> str | None:
    """The GB/T 13745 code of a discipline written as people write it: a code (520, 52020), a
    first- or second-level name (计算机科学技术, 人工智能), with full-width characters and spaces,
    with its code before or after (520 计算机科学技术, 520-计算机科学技术, 计算机科学技术(520)), or with
    the joining words varied (计算机科学与技术). None when it is none of them. `names`: the table of
    discipline_names(), when the caller looks up many."""
    if names is None:
        names = discipline_names()
    value = unicodedata.normalize("NFKC", str(text or "")).strip()
    if not value:
        return None
    for pattern, code_group, name_group in ((_CODE_FIRST, 1, 2), (_CODE_LAST, 2, 1)):
        match = pattern.fullmatch(value)
        if match:
            code, name = match.group(code_group), match.group(name_group) or ""
            named = names.get(_name_key(name)) if name else None
            if code in names and names[code] == code:
                return code if named in (None, code) else None  # a code and the name of another: which one?
            value = name
            break
    return names.get(_name_key(value)) if value else None


def get_region(code: str | None) -> Region | None:
    """The division with this GB/T 2260 code (6 digits, 9 for a township), or None. The one
    look-up by code: forms, pickers, filters and services call it rather than querying Region."""
    code = normalize_code(code or "")
    if not code.isdigit() or len(code) not in (6, 9):
        return None
    return Region.objects.filter(code=code).first()


def regions_by_code(codes) -> dict[str, Region]:
    """Several divisions in one query (a picker's chosen levels), keyed by code."""
    wanted = [c for c in dict.fromkeys(codes) if c and c.isdigit() and len(c) in (6, 9)]
    return {r.code: r for r in Region.objects.filter(code__in=wanted)} if wanted else {}


def picker_levels(region: Region | None) -> list[tuple[int, list[Region], str]]:
    """The cascade down to `region`: for each level, its options (the provinces, then the children
    of each chosen division) and the chosen code, plus the next level to choose, if any. One query."""
    chain = []
    if region is not None:
        chain = [region.path[i : i + 9] for i in range(0, len(region.path), 9)]
    # Path segments are codes padded to 9 digits: 320000000 is 320000, 320102002 the township.
    codes = [seg[:6] if seg.endswith("000") else seg for seg in chain]
    rows = Region.objects.filter(Q(level=1) | Q(parent_id__in=codes)).only("code", "name", "level", "parent_id").order_by("code")
    children: dict[str | None, list[Region]] = {}
    for r in rows:
        children.setdefault(r.parent_id if r.level > 1 else None, []).append(r)
    levels = []
    parents: list[str | None] = [None, *codes]
    for depth, parent in enumerate(parents):
        options = children.get(parent, [])
        if not options:
            break
        levels.append((depth + 1, options, codes[depth] if depth < len(codes) else ""))
    return levels


def get_discipline(code: str | None) -> Discipline | None:
    code = (code or "").strip()
    return Discipline.objects.filter(code=code).first() if code.isdigit() and len(code) <= 8 else None


def find_disciplines(text: str, *, limit: int = 30) -> list[Discipline]:
    """GB/T 13745 disciplines by code prefix, or by Chinese or English name; broader ones first."""
    text = text.strip()
    if not text:
        return []
    qs = Discipline.objects.filter(code__startswith=text) if text.isdigit() else Discipline.objects.filter(Q(name__contains=text) | Q(name_en__icontains=text))
    return list(qs.order_by("level", "code")[:limit])
