"""The affinity of a reviewer to an application: a score in [0, 1], comparable across
applications and calls, for the reviewer-assignment engine (`kejia.review.assignment` takes
candidate pairs with such scores).

A reviewer is read as their achievements, each one a document (title and detail: where an
abstract goes), and their profile (expertise keywords, title, disciplines, research summary).
Texts are analysed as the index analyses them (`kejia.search.text`: jieba for Chinese, stems and
a stop list for English) and weighted TF-IDF: sublinear term frequency × the index's inverse
document frequency, each vector L2-normalised, so a score is a cosine and does not grow with the
length of the application or the number of people. The pair's score aggregates:

    W_MAX × best achievement + W_TOP × mean of the best TOP_K achievements + W_PROFILE × profile

(without achievements, the profile alone). `score_pairs` scores given pairs; `top_reviewers`
finds each application's candidates through the engine (its key terms, any of which may match,
within a scope and filters) and re-scores the best `pool` of them this way.

The idf comes from the index (`TantivyBackend.document_frequencies`), counting at least
IDF_MIN_PEOPLE people: people added with other subjects change a score only through the idf's
log(N) (not at all below IDF_MIN_PEOPLE; +1 % of people moves a cosine by well under 0.01)."""

import math
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from kejia.search.text import index_tokens

W_MAX, W_TOP, W_PROFILE = 0.5, 0.2, 0.3
TOP_K = 3
# Candidates the engine retrieves per application before re-scoring: 300 found all of brute
# force's top 20 in bench/affinity.py (100 found 92.5 %), at 16 ms per application.
DEFAULT_POOL = 300
# The idf counts at least this many people: in a small index (a new deployment, a province's
# first hundred experts) every shared word would look rare and each new person would move all
# the scores; from this size on the idf is the index's own.
IDF_MIN_PEOPLE = 10_000


@dataclass
class ReviewerTexts:
    """What a reviewer is read as: each achievement's text, and the profile's text."""

    achievements: list[str] = field(default_factory=list)
    profile: str = ""


@dataclass
class PairScore:
    score: float
    best_achievement: int | None  # index in ReviewerTexts.achievements of the closest one
    achievement: float  # cosine of the closest achievement
    profile: float  # cosine of the profile


Vector = dict[str, float]


def load_reviewer_texts(person_ids: Iterable[int]) -> dict[int, ReviewerTexts]:
    """Reviewer texts from the database, a thousand people per query."""
    from kejia.people.models import Achievement, Person

    ids = sorted({int(i) for i in person_ids})
    out: dict[int, ReviewerTexts] = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        for pk, expertise, title, summary in Person.objects.filter(pk__in=chunk).values_list("pk", "expertise", "title", "research_summary"):
            out[pk] = ReviewerTexts([], "\n".join(t for t in (expertise, title, summary) if t))
        through = Person.disciplines.through
        for pk, name, name_en in through.objects.filter(person_id__in=chunk).values_list("person_id", "discipline__name", "discipline__name_en"):
            if pk in out:
                out[pk].profile += f"\n{name} {name_en or ''}"
        for pk, title, detail in Achievement.objects.filter(person_id__in=chunk).values_list("person_id", "title", "detail"):
            if pk in out:
                out[pk].achievements.append(f"{title}\n{detail}" if detail else title)
    return out


class AffinityScorer:
    """Scores (application text, reviewer) pairs. Keeps the idf and the reviewers' vectors it
    computed, so one scorer should serve one call (a batch of applications)."""

    def __init__(
        self, *, backend=None, idf: Callable[[str], float] | None = None, texts: Callable[[Iterable[int]], Mapping[int, ReviewerTexts]] = load_reviewer_texts
    ):
        self._backend = backend
        self._idf_fn = idf
        self._texts = texts
        self._idf: dict[str, float] = {}
        self._reviewers: dict[Hashable, tuple[list[Vector], Vector]] = {}

    # -- weights ----------------------------------------------------------------------------

    def _fill_idf(self, terms: Iterable[str]) -> None:
        missing = {t for t in terms if t not in self._idf}
        if not missing:
            return
        if self._idf_fn is not None:
            self._idf.update({t: self._idf_fn(t) for t in missing})
            return
        backend = self._backend
        if backend is None:
            from kejia.search.indexing import get_backend

            backend = self._backend = get_backend()
        df, n = backend.document_frequencies(missing)
        n = max(n, IDF_MIN_PEOPLE)
        # Smoothed idf (≥ 1): a term nobody has still weighs, a term everybody has weighs least.
        self._idf.update({t: math.log((n + 1) / (df[t] + 1)) + 1.0 for t in missing})

    def vector(self, text: str) -> Vector:
        counts = Counter(index_tokens(text))
        if not counts:
            return {}
        self._fill_idf(counts)
        idf = self._idf
        vec = {t: (1.0 + math.log(c)) * idf[t] for t, c in counts.items()}
        norm = math.sqrt(sum(w * w for w in vec.values()))
        return {t: w / norm for t, w in vec.items()}

    def add_reviewers(self, texts: Mapping[Hashable, ReviewerTexts]) -> None:
        for pk, t in texts.items():
            if pk not in self._reviewers:
                self._reviewers[pk] = ([v for v in (self.vector(a) for a in t.achievements) if v], self.vector(t.profile))

    def _ensure(self, person_ids: Iterable[Hashable]) -> None:
        missing = [p for p in dict.fromkeys(person_ids) if p not in self._reviewers]
        if missing:
            found = self._texts(missing)
            self.add_reviewers(found)
            for pk in missing:  # not found (gone, merged): an empty reviewer scores 0
                self._reviewers.setdefault(pk, ([], {}))

    # -- scores -----------------------------------------------------------------------------

    @staticmethod
    def _cos(a: Vector, b: Vector) -> float:
        if len(a) > len(b):
            a, b = b, a
        return sum(w * b.get(t, 0.0) for t, w in a.items())

    def pair(self, application: Vector, person_id: Hashable) -> PairScore:
        self._ensure([person_id])
        achievements, profile = self._reviewers[person_id]
        p = self._cos(application, profile) if profile else 0.0
        if not achievements:
            return PairScore(round(p, 6), None, 0.0, round(p, 6))
        sims = [self._cos(application, a) for a in achievements]
        order = sorted(range(len(sims)), key=lambda i: -sims[i])
        best = sims[order[0]]
        top = sum(sims[i] for i in order[:TOP_K]) / min(TOP_K, len(sims))
        score = W_MAX * best + W_TOP * top + W_PROFILE * p
        return PairScore(round(score, 6), order[0], round(best, 6), round(p, 6))


def score_pairs(
    applications: Mapping[Hashable, str], pairs: Iterable[tuple[Hashable, int]], *, scorer: AffinityScorer | None = None
) -> dict[tuple[Hashable, int], PairScore]:
    """The affinity of each (application key, reviewer person id) pair; `applications` maps each
    key to its text (title, abstract, keywords — Chinese or English)."""
    scorer = scorer or AffinityScorer()
    pairs = list(pairs)
    scorer._ensure(pid for _key, pid in pairs)
    vectors: dict[Hashable, Vector] = {}
    out = {}
    for key, pid in pairs:
        if key not in vectors:
            vectors[key] = scorer.vector(applications[key])
        out[(key, pid)] = scorer.pair(vectors[key], pid)
    return out


def top_reviewers(
    applications: Mapping[Hashable, str],
    *,
    n: int = 20,
    pool: int = DEFAULT_POOL,
    user=None,
    filters=None,
    reviewers: Sequence[int] | None = None,
    exclude: Mapping[Hashable, Iterable[int]] | None = None,
    backend=None,
    scorer: AffinityScorer | None = None,
    max_terms: int = 30,
) -> dict[Hashable, list[tuple[int, float]]]:
    """Each application's best `n` reviewers with their affinity, best first (ties by person id):
    the engine retrieves the `pool` people matching the application's key terms best — in
    `user`'s scope (None: everyone, for platform jobs), narrowed by `filters` (ExpertFilters) and
    to `reviewers` (the call's pool of person ids) if given, leaving out `exclude[key]` (e.g. the
    applicant) — and they are re-scored as `score_pairs` does. These are the candidate pairs
    `kejia.review.assignment` takes."""
    from django.utils import timezone

    from kejia.search.indexing import get_backend
    from kejia.search.services import check_text, engine_filters_for, scope_paths_for, text_terms

    backend = backend or get_backend()
    scorer = scorer or AffinityScorer(backend=backend)
    paths = scope_paths_for(user) if user is not None else None
    out: dict[Hashable, list[tuple[int, float]]] = {}
    for key, text in applications.items():
        check_text(text)
        base = engine_filters_for(filters, today=timezone.localdate())
        base.exclude_ids = [*base.exclude_ids, *((exclude or {}).get(key, ()))]
        if reviewers is not None:
            base.include_ids = list(reviewers)
        words = text_terms(text, max_terms=max_terms, backend=backend)
        if not words or (paths is not None and not paths):
            out[key] = []
            continue
        hits = backend.search(words, filters=base, scope_paths=paths, limit=pool, require_all=False, count=False, matched=False).hits
        ids = [h.id for h in hits]
        if user is not None and ids:
            from kejia.people.selectors import visible_people

            seen = set(visible_people(user).filter(pk__in=ids).values_list("pk", flat=True))
            ids = [i for i in ids if i in seen]
        vector = scorer.vector(text)
        scorer._ensure(ids)
        scored = sorted(((pid, scorer.pair(vector, pid).score) for pid in ids), key=lambda x: (-x[1], x[0]))
        out[key] = [(pid, s) for pid, s in scored[:n] if s > 0]
    return out
