"""Expert finding: search the talent database by free text, or find the experts for a pasted
text (`affinity`). Reviewer assignment is an engine without pages yet (`kejia.review.assignment`)
that takes the candidate pairs `affinity.top_reviewers` gives; there is no enterprise-need
matching (an enterprise's need pasted here is searched as any text).

The caller's scope is applied inside the engine query (the organizations listing a person), so
the top k is the top k of what the caller may see. Results carry masked data only: nothing here
decrypts personal data. The database has the last word: hits are read back through
`visible_people(user)`, so a person changed after the index was written is never shown wrongly."""

import datetime
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kejia.accounts import scope
from kejia.core.api import MAX_OFFSET
from kejia.core.errors import ValidationFailed
from kejia.people.choices import TitleLevel
from kejia.people.models import Person
from kejia.people.selectors import visible_people
from kejia.reference.choices import Sector
from kejia.reference.selectors import get_region
from kejia.search.engine import Filters, SearchBackend
from kejia.search.indexing import get_backend
from kejia.search.text import QueryWord, key_terms, parse_query

MAX_LIMIT = 100
# The one limit on a searched text, by every door (the page, the API, the service, the command):
# longer is refused with a message, never cut. 20 000 characters is a long project description;
# its key terms are found in well under a second.
MAX_TEXT_CHARS = 20_000


def check_text(text: str, *, field: str = "text") -> str:
    text = text or ""
    if len(text) > MAX_TEXT_CHARS:
        raise ValidationFailed({field: [str(_("At most %(max)s characters (this text has %(n)s).") % {"max": MAX_TEXT_CHARS, "n": len(text)})]})
    return text


@dataclass
class ExpertFilters:
    """What a caller may narrow by. Codes, not objects, so forms, the API and commands share it."""

    sector: Sequence[str] = ()
    title_level: Sequence[str] = ()
    region: str | None = None  # division code (GB/T 2260): the region and everything below
    discipline: Sequence[str] = ()  # GB/T 13745 codes: a code covers its sub-disciplines
    organization: str | None = None  # organization code: people it or its sub-organizations list
    frontline: bool | None = None
    age_min: int | None = None
    age_max: int | None = None
    exclude_ids: Sequence[int] = ()  # people to leave out of the results (e.g. whoever asks about their own text)


@dataclass
class Expert:
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
    # Where the words matched: text field → the words found there, fields in FIELD_LABELS order.
    matched_fields: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def why(self) -> list[tuple[str, list[str]]]:
        """ "Why it matched", for pages: (field label, words found there)."""
        return [(str(FIELD_LABELS[name]), words) for name, words in self.matched_fields.items() if name in FIELD_LABELS]


# The engine's text fields as people call them ("why matched").
FIELD_LABELS = {
    "expertise": _("expertise"),
    "achievements": _("achievements"),
    "summary": _("research summary"),
    "disciplines": _("disciplines"),
    "name": pgettext_lazy("person", "name"),
    "employer": _("employer"),
}


def matched_by_field(word_fields: dict[str, list[str]]) -> dict[str, list[str]]:
    """word → fields, turned round to field → words (in FIELD_LABELS order, words in query order)."""
    out: dict[str, list[str]] = {name: [] for name in FIELD_LABELS}
    for word, names in word_fields.items():
        for name in names:
            if name in out:
                out[name].append(word)
    return {name: words for name, words in out.items() if words}


@dataclass
class ExpertResults:
    experts: list[Expert]
    total: int  # matches in the caller's scope (the index's count)
    terms: list[QueryWord] = field(default_factory=list)  # the words searched, with weights

    def as_list(self) -> list[dict]:
        return [e.as_dict() for e in self.experts]


def _as_list(value) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [v for v in value.split(",") if v]
    return [str(v) for v in value]


def engine_filters_for(f: ExpertFilters | None, *, today: datetime.date) -> Filters:
    from kejia.organizations.models import Organization

    f = f or ExpertFilters()
    errors: dict[str, list[str]] = {}
    sectors, levels = _as_list(f.sector), _as_list(f.title_level)
    if bad := [s for s in sectors if s not in Sector.values]:
        errors["sector"] = [str(_("Unknown sector: %(v)s") % {"v": ", ".join(bad)})]
    if bad := [s for s in levels if s not in TitleLevel.values]:
        errors["title_level"] = [str(_("Unknown title level: %(v)s") % {"v": ", ".join(bad)})]
    region_path = org_path = None
    if f.region:
        region = get_region(f.region)
        region_path = region.path if region is not None else None
        if region_path is None:
            errors["region"] = [str(_("Unknown division code: %(v)s") % {"v": f.region})]
    if f.organization:
        org_path = Organization.objects.filter(code=f.organization).values_list("path", flat=True).first()
        if org_path is None:
            errors["organization"] = [str(_("Unknown organization: %(v)s") % {"v": f.organization})]
    for name in ("age_min", "age_max"):
        value = getattr(f, name)
        if value is not None and not (0 <= int(value) <= 150):
            errors[name] = [str(_("An age between 0 and 150."))]
    if errors:
        raise ValidationFailed(errors)
    return Filters(
        sector=sectors,
        title_level=levels,
        discipline=_as_list(f.discipline),
        region_path=region_path,
        org_path=org_path,
        frontline=f.frontline,
        # Age in years reached this calendar year: born in (year - max) … (year - min).
        birth_year_min=today.year - int(f.age_max) if f.age_max is not None else None,
        birth_year_max=today.year - int(f.age_min) if f.age_min is not None else None,
        exclude_ids=[int(i) for i in f.exclude_ids],
    )


def scope_paths_for(user) -> list[str] | None:
    """Organization paths the user may search under; None means everywhere (platform admin).
    A S&T worker without a role gets none: there is no public talent search yet."""
    if scope.is_unrestricted(user):
        return None
    return scope.role_paths(user)


def _search(
    user, words: list[QueryWord], filters: ExpertFilters | None, *, limit: int, offset: int, require_all: bool, backend: SearchBackend | None
) -> ExpertResults:
    if not 1 <= int(limit) <= MAX_LIMIT:
        raise ValidationFailed({"limit": [str(_("Results per page: from 1 to %(max)s.") % {"max": MAX_LIMIT})]})
    if not 0 <= int(offset) <= MAX_OFFSET:
        raise ValidationFailed({"offset": [str(_("Results to skip: at most %(max)s.") % {"max": MAX_OFFSET})]})
    limit, offset = int(limit), int(offset)
    engine_filters = engine_filters_for(filters, today=timezone.localdate())
    paths = scope_paths_for(user)
    if paths is not None and not paths:
        return ExpertResults([], 0, words)
    backend = backend or get_backend()
    result = backend.search(words, filters=engine_filters, scope_paths=paths, limit=limit, offset=offset, require_all=require_all)
    if not result.hits:
        return ExpertResults([], result.total, words)
    ids = [h.id for h in result.hits]
    # Plain values, two queries: this runs on every search.
    columns = ("pk", "name", "employer_name", "title", "title_level", "sector", "region__full_name", "is_frontline")
    people = {row[0]: row for row in visible_people(user).filter(pk__in=ids).values_list(*columns)}
    disciplines: dict[int, list[str]] = {}
    for pk, code, name in Person.disciplines.through.objects.filter(person_id__in=list(people)).values_list(
        "person_id", "discipline__code", "discipline__name"
    ):
        disciplines.setdefault(pk, []).append(f"{code} {name}")
    experts = []
    for hit in result.hits:
        row = people.get(hit.id)
        if row is None:  # changed since it was indexed; the task will catch up
            continue
        pk, name, employer, title, title_level, sector, region, frontline = row
        experts.append(
            Expert(
                id=pk,
                name=name,
                employer=employer,
                title=title,
                title_level=title_level,
                sector=sector,
                region=region or "",
                disciplines=sorted(disciplines.get(pk, [])),
                is_frontline=frontline,
                score=round(hit.score, 4),
                matched=hit.matched,
                matched_fields=matched_by_field(hit.fields),
            )
        )
    return ExpertResults(experts, result.total, words)


def find_experts(
    user, *, text: str = "", filters: ExpertFilters | None = None, limit: int = 10, offset: int = 0, backend: SearchBackend | None = None
) -> ExpertResults:
    """People matching every word of `text` (Chinese or English), best first by BM25.
    An empty text lists people by the filters alone."""
    text = check_text(text, field="q")
    return _search(user, parse_query(text), filters, limit=limit, offset=offset, require_all=True, backend=backend)


def text_terms(text: str, *, max_terms: int = 20, backend: SearchBackend | None = None) -> list[QueryWord]:
    """The weighted key terms of a pasted text, English ones weighted by the index's document
    frequencies (BM25's idf), Chinese ones by jieba's TF-IDF."""
    from kejia.search.text import index_tokens

    backend = backend or get_backend()
    idf = None
    if hasattr(backend, "document_frequencies"):
        df, n = backend.document_frequencies([t for t in index_tokens(text) if t.isascii()])
        idf = lambda term: math.log(1 + (n - df.get(term, 0) + 0.5) / (df.get(term, 0) + 0.5))  # noqa: E731
    return key_terms(text, limit=max_terms, idf=idf)


def affinity(
    text: str, *, user, limit: int = 10, offset: int = 0, filters: ExpertFilters | None = None, max_terms: int = 20, backend: SearchBackend | None = None
) -> ExpertResults:
    """The experts closest to a pasted text (a project description, an enterprise's need): its
    key terms, weighted (TF-IDF, BM25's idf for English), any of which may match; `terms` on the
    result lists them and each expert's `matched` says which of them they cover. Paged by
    `offset` like `find_experts`. Scores here are the engine's BM25 sums, for ranking one list:
    to compare across applications use `kejia.search.affinity` (normalised pair scores)."""
    text = check_text(text)
    words = text_terms(text, max_terms=max_terms, backend=backend)
    if not words:
        return ExpertResults([], 0, [])
    return _search(user, words, filters, limit=limit, offset=offset, require_all=False, backend=backend)
