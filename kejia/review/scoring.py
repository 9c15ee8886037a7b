"""Scores: criteria with weights (data), weighted totals, per-reviewer normalisation, disagreement
and a ranking with deterministic tie-breaks.

- A `Rubric` is a list of criteria, each with a code, a label, a weight and the highest score a
  reviewer may give (`max_score`). It comes from data (`rubric_from_data`) — a call stores its
  own; `DEFAULT_RUBRIC` is the usual four: 改革创新性 30, 可行性 30, 示范推广价值 20, 工作基础 20.
- The **total** of one review is on 0–100: 100 · Σ w_c · (s_c / max_c) / Σ w_c.
- **Normalisation**: reviewers are lenient or severe; each reviewer's totals are turned into
  z-scores over the applications that reviewer scored: z = (t − mean_r) / sd_r (population
  standard deviation). A reviewer with one review, or with equal totals everywhere, says nothing
  about the order: their z is 0. The raw mean is kept beside the normalised mean.
- **Disagreement**: an application is flagged when the spread of its reviewers' z-scores
  (largest minus smallest) is above `DISAGREEMENT_THRESHOLD` = 2.0 — two reviewers put it two
  of their own standard deviations apart, e.g. one well above their usual level and one well
  below theirs. Needs at least two reviews. The threshold is a parameter.
- **Ranking**: by normalised mean (or raw mean, `by="raw"`), then the other mean, then more
  reviews first, then the application id ascending — never an arbitrary order. Ids must be
  mutually comparable (all integers or all strings).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kejia.core.errors import DomainError

DISAGREEMENT_THRESHOLD = 2.0


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str | Promise
    weight: float
    max_score: float = 10.0


@dataclass(frozen=True)
class Rubric:
    criteria: tuple[Criterion, ...]

    def __post_init__(self):
        if not self.criteria:
            raise DomainError("no_criteria", _("A rubric needs at least one criterion."), field="criteria")
        codes = [c.code for c in self.criteria]
        for row, c in enumerate(self.criteria, start=1):
            if not c.code or c.code in codes[: row - 1]:
                raise DomainError("invalid_criterion", _("Each criterion needs its own code."), field="code", row=row)
            if not (isinstance(c.weight, int | float) and math.isfinite(c.weight) and c.weight > 0):
                raise DomainError("invalid_weight", _("The weight must be a positive number."), field="weight", row=row)
            if not (isinstance(c.max_score, int | float) and math.isfinite(c.max_score) and c.max_score > 0):
                raise DomainError("invalid_max_score", _("The highest score must be a positive number."), field="max_score", row=row)

    def total(self, scores: Mapping[str, float]) -> float:
        """The weighted total on 0–100 of one review; every criterion scored within 0–max."""
        missing = [c.code for c in self.criteria if c.code not in scores]
        if missing:
            raise DomainError("missing_score", _("Every criterion needs a score."), field=missing[0])
        extra = sorted(set(scores) - {c.code for c in self.criteria})
        if extra:
            raise DomainError("unknown_criterion", _("This is not one of the criteria."), field=extra[0])
        for c in self.criteria:
            s = scores[c.code]
            if not (isinstance(s, int | float) and not isinstance(s, bool) and math.isfinite(s) and 0 <= s <= c.max_score):
                raise DomainError("invalid_score", _("The score must be between 0 and %(max)s.") % {"max": f"{c.max_score:g}"}, field=c.code)
        weights = math.fsum(c.weight for c in self.criteria)
        return 100 * math.fsum(c.weight * scores[c.code] / c.max_score for c in self.criteria) / weights


DEFAULT_RUBRIC = Rubric(
    criteria=(
        Criterion("innovation", gettext_lazy("Reform and innovation"), 30),
        Criterion("feasibility", gettext_lazy("Feasibility"), 30),
        Criterion("demonstration", gettext_lazy("Demonstration and dissemination value"), 20),
        Criterion("groundwork", gettext_lazy("Groundwork"), 20),
    )
)


def rubric_from_data(rows: Sequence[Mapping]) -> Rubric:
    """A rubric from stored rows: [{"code", "label", "weight", "max_score"?}, …]."""
    if not isinstance(rows, list | tuple):
        raise DomainError("invalid_rubric", _("The criteria must be a list."), field="criteria")
    criteria = []
    for row, data in enumerate(rows, start=1):
        if not isinstance(data, Mapping):
            raise DomainError("invalid_rubric", _("Each criterion must be an object."), field="criteria", row=row)
        for name in ("code", "label", "weight"):
            if data.get(name) in (None, ""):
                raise DomainError("required", _("This field cannot be empty."), field=name, row=row)
        criteria.append(Criterion(str(data["code"]), str(data["label"]), data["weight"], data.get("max_score", 10.0)))
    return Rubric(criteria=tuple(criteria))


@dataclass(frozen=True)
class Review:
    application: Hashable
    reviewer: Hashable
    scores: Mapping[str, float]


@dataclass(frozen=True)
class ApplicationResult:
    application: Hashable
    reviews: int
    raw_mean: float  # mean of the weighted totals, 0–100
    normalised_mean: float  # mean of the reviewers' z-scores
    spread: float  # largest minus smallest z-score (0 with one review)
    disagreement: bool
    rank: int = 0


def totals(rubric: Rubric, reviews: Iterable[Review]) -> dict[tuple[Hashable, Hashable], float]:
    """The weighted total of every review, by (application, reviewer); a bad score names its row."""
    out: dict[tuple[Hashable, Hashable], float] = {}
    for row, review in enumerate(reviews, start=1):
        key = (review.application, review.reviewer)
        if key in out:
            raise DomainError("duplicate_review", _("This reviewer has already scored this application."), field="reviewer", row=row)
        try:
            out[key] = rubric.total(review.scores)
        except DomainError as error:
            error.row = row
            raise
    return out


def z_scores(review_totals: Mapping[tuple[Hashable, Hashable], float]) -> dict[tuple[Hashable, Hashable], float]:
    """Each total as a z-score among the same reviewer's totals (0 when the reviewer's totals do not vary)."""
    by_reviewer: dict[Hashable, list[float]] = defaultdict(list)
    for (_app, reviewer), total in review_totals.items():
        by_reviewer[reviewer].append(total)
    moments = {}
    for reviewer, values in by_reviewer.items():
        mean = math.fsum(values) / len(values)
        sd = statistics.pstdev(values, mu=mean) if len(values) > 1 else 0.0
        moments[reviewer] = (mean, sd)
    out = {}
    for (app, reviewer), total in review_totals.items():
        mean, sd = moments[reviewer]
        out[(app, reviewer)] = (total - mean) / sd if sd > 1e-12 else 0.0
    return out


def results(
    rubric: Rubric, reviews: Iterable[Review], *, threshold: float = DISAGREEMENT_THRESHOLD, by: Literal["normalised", "raw"] = "normalised"
) -> list[ApplicationResult]:
    """Every reviewed application's means, spread and flag, ranked (rank 1 first)."""
    if by not in ("normalised", "raw"):
        raise DomainError("invalid_ranking", _("Rank by the normalised or the raw mean."), field="by")
    raw = totals(rubric, reviews)
    z = z_scores(raw)
    per_app: dict[Hashable, list[tuple[float, float]]] = defaultdict(list)
    for key, total in raw.items():
        per_app[key[0]].append((total, z[key]))
    unranked = []
    for app, pairs in per_app.items():
        zs = [zv for _t, zv in pairs]
        spread = max(zs) - min(zs)
        unranked.append(
            ApplicationResult(
                application=app,
                reviews=len(pairs),
                raw_mean=math.fsum(t for t, _z in pairs) / len(pairs),
                normalised_mean=math.fsum(zs) / len(zs),
                spread=spread,
                disagreement=len(pairs) >= 2 and spread > threshold,
            )
        )

    def order(r: ApplicationResult):
        first, second = (r.normalised_mean, r.raw_mean) if by == "normalised" else (r.raw_mean, r.normalised_mean)
        # Rounded so that float noise (1e-15) does not decide between equal means.
        return (-round(first, 9), -round(second, 9), -r.reviews, r.application)

    ranked = sorted(unranked, key=order)
    return [ApplicationResult(**{**vars(r), "rank": i}) for i, r in enumerate(ranked, start=1)]
