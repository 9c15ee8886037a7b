"""Results: counts and shares per question, rating means, matrix tables, cross-tabulation by
sector, age band, region (or any single-choice question) and the evaluation index. Every count
is a GROUP BY in SQL (SQLite and PostgreSQL); Python only maps option indexes of each version to
their labels (options are matched across versions by their text) and adds up.

Evaluation index (docs/surveys.md): for each answer to a question marked as one of the four
measures, a score from 0 to 100 (`questions.score_of`: a rating rescaled linearly, a choice its
option's score — by default the first option 100 and the last 0). A measure of an organization in
a period is the mean score of its answers; the index is the weighted mean of the measures present,
with the survey's weights (default 25 % each). An index from fewer answers than the survey's
`min_responses` (default 5) is not shown."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, CharField, Count, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from kejia.core.errors import DomainError
from kejia.reference.choices import Sector
from kejia.reference.models import Region
from kejia.surveys import questions as qlib
from kejia.surveys.choices import DIMENSIONS, MEASURES, AgeBand, QuestionKind, QuestionRole, ResponseStatus, SurveyKind
from kejia.surveys.models import Answer, Response, Survey, SurveyVersion


@dataclass
class Bar:
    label: str
    count: int
    share: float  # of the question's respondents, in %


@dataclass
class QuestionResult:
    question: dict
    respondents: int = 0
    bars: list[Bar] = field(default_factory=list)
    mean: float | None = None
    matrix: list[dict] = field(default_factory=list)  # {"row": label, "cells": [Bar …], "respondents": n}
    texts: int = 0


class Layout:
    """The survey's questions across its versions: the current version's order and labels, with
    questions and options only older versions had appended; per version, index → canonical index."""

    def __init__(self, survey: Survey):
        versions = list(SurveyVersion.objects.filter(survey=survey).order_by("-number").values_list("pk", "questions"))
        self.questions: list[dict] = []
        self.by_key: dict[str, dict] = {}
        self.option_map: dict[tuple[int, str], list[int]] = {}
        self.row_map: dict[tuple[int, str], list[int]] = {}
        for _pk, questions in versions:  # newest first: its labels win
            for q in questions:
                if q["key"] not in self.by_key:
                    canon = dict(q, options=list(q["options"]), rows=list(q["rows"]))
                    self.by_key[q["key"]] = canon
                    self.questions.append(canon)
                canon = self.by_key[q["key"]]
                for name in ("options", "rows"):
                    for label in q[name]:
                        if label not in canon[name]:
                            canon[name].append(label)
        order = {q["key"]: i for i, q in enumerate(versions[0][1])} if versions else {}
        self.questions.sort(key=lambda q: order.get(q["key"], len(order)))
        for pk, questions in versions:
            for q in questions:
                canon = self.by_key[q["key"]]
                self.option_map[(pk, q["key"])] = [canon["options"].index(label) for label in q["options"]]
                self.row_map[(pk, q["key"])] = [canon["rows"].index(label) for label in q["rows"]]
        self.version_questions = {pk: {q["key"]: q for q in questions} for pk, questions in versions}

    def option(self, version: int, key: str, index: int | None) -> int | None:
        mapping = self.option_map.get((version, key))
        if index is None or mapping is None or not 0 <= index < len(mapping):
            return None
        return mapping[index]

    def row(self, version: int, key: str, index: int | None) -> int | None:
        mapping = self.row_map.get((version, key))
        if index is None or mapping is None or not 0 <= index < len(mapping):
            return None
        return mapping[index]


def submitted_count(survey: Survey) -> int:
    return Response.objects.filter(survey=survey, status=ResponseStatus.SUBMITTED).count()


def _share(count: int, total: int) -> float:
    return round(count * 100.0 / total, 1) if total else 0.0


def question_results(survey: Survey, layout: Layout | None = None) -> list[QuestionResult]:
    """Every question's counts: one GROUP BY over the answers, one for the respondents of
    multiple-choice and matrix questions."""
    layout = layout or Layout(survey)
    counts = Answer.objects.filter(survey=survey).order_by().values_list("question", "version_id", "row", "option", "number").annotate(n=Count("id"))
    distinct_keys = [q["key"] for q in layout.questions if q["kind"] in (QuestionKind.MULTIPLE, QuestionKind.MATRIX)]
    respondents = (
        dict(
            Answer.objects.filter(survey=survey, question__in=distinct_keys)
            .order_by()
            .values("question")
            .annotate(n=Count("response_id", distinct=True))
            .values_list("question", "n")
        )
        if distinct_keys
        else {}
    )
    results = {q["key"]: QuestionResult(question=q) for q in layout.questions}
    tallies: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    for key, version, row, option, number, n in counts:
        q = layout.by_key.get(key)
        if q is None:
            continue
        kind = q["kind"]
        if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            tallies[key][layout.option(version, key, option)] += n
        elif kind == QuestionKind.RATING:
            tallies[key][number] += n
        elif kind == QuestionKind.MATRIX:
            tallies[key][(layout.row(version, key, row), layout.option(version, key, option))] += n
        else:
            results[key].texts += n
    for key, result in results.items():
        q, tally = result.question, tallies.get(key, {})
        kind = q["kind"]
        if kind == QuestionKind.SINGLE:
            result.respondents = sum(tally.values())
        elif kind == QuestionKind.RATING:
            result.respondents = sum(tally.values())
            if result.respondents:
                result.mean = round(sum(v * n for v, n in tally.items()) / result.respondents, 2)
            result.bars = [Bar(str(v), tally.get(v, 0), _share(tally.get(v, 0), result.respondents)) for v in qlib.scale(q)]
            continue
        elif kind == QuestionKind.TEXT:
            result.respondents = result.texts
            continue
        else:
            result.respondents = respondents.get(key, 0)
        if kind == QuestionKind.MATRIX:
            for r, row_label in enumerate(q["rows"]):
                cells = [tally.get((r, o), 0) for o in range(len(q["options"]))]
                total = sum(cells)
                result.matrix.append(
                    {"row": row_label, "respondents": total, "cells": [Bar(label, c, _share(c, total)) for label, c in zip(q["options"], cells, strict=True)]}
                )
        else:
            result.bars = [Bar(label, tally.get(i, 0), _share(tally.get(i, 0), result.respondents)) for i, label in enumerate(q["options"])]
    return [results[q["key"]] for q in layout.questions]


def texts(survey: Survey, key: str) -> QuerySet:
    """The free-text answers of a question; in the order of the responses' random ids, which
    says nothing about who answered when."""
    return Answer.objects.filter(survey=survey, question=key).exclude(text="").order_by("response_id", "id").values_list("text", flat=True)


# ---- Cross-tabulation ----------------------------------------------------------------------------


def _age_band_expression(path: str, today: datetime.date):
    def before(years: int) -> datetime.date:
        try:
            return today.replace(year=today.year - years)
        except ValueError:
            return today.replace(year=today.year - years, day=28)

    return Case(
        When(**{f"{path}__isnull": True}, then=Value("")),
        When(**{f"{path}__gt": before(35)}, then=Value(AgeBand.UNDER_35.value)),
        When(**{f"{path}__gt": before(45)}, then=Value(AgeBand.FROM_35.value)),
        When(**{f"{path}__gt": before(55)}, then=Value(AgeBand.FROM_45.value)),
        default=Value(AgeBand.FROM_55.value),
        output_field=CharField(),
    )


def dimension_choices(survey: Survey, layout: Layout | None = None) -> list[tuple[str, str]]:
    """What a question can be cross-tabulated by: the three dimensions (from the respondents'
    profiles for an identified survey, from the survey's own questions for an anonymous one) and
    any single-choice question."""
    layout = layout or Layout(survey)
    roles = {q["role"] for q in layout.questions}
    out = [(str(d), str(QuestionRole(d).label)) for d in DIMENSIONS if not survey.anonymous or d in roles]
    out += [(q["key"], f"{q['key']} {q['text'][:30]}") for q in layout.questions if q["kind"] == QuestionKind.SINGLE]
    return out


def crosstab(survey: Survey, key: str, by: str, *, layout: Layout | None = None, today: datetime.date | None = None) -> dict[str, Any]:
    """Counts of question `key`'s answers (options, or rating values) per value of `by`. One
    GROUP BY: over the answers joined to the respondent's profile (identified survey), or with
    the answer to the dimension question of the same response (anonymous survey, or `by` a question)."""
    layout = layout or Layout(survey)
    q = layout.by_key.get(key)
    if q is None or q["kind"] not in (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RATING):
        raise DomainError("invalid_question", _("Cross-tabulate a choice or rating question."), field="question")
    today = today or timezone.localdate()
    answers = Answer.objects.filter(survey=survey, question=key).order_by()
    value_field = "number" if q["kind"] == QuestionKind.RATING else "option"
    dim_question = None
    if by in layout.by_key:
        dim_question = layout.by_key[by]
    elif by in DIMENSIONS and survey.anonymous:
        dim_question = next((d for d in layout.questions if d["role"] == by), None)
        if dim_question is None:
            raise DomainError("no_dimension", _("This anonymous survey has no question giving this dimension."), field="by")
    elif by not in DIMENSIONS:
        raise DomainError("invalid_dimension", _("Choose sector, age band, region or a single-choice question."), field="by")
    if dim_question is not None:
        if dim_question["kind"] != QuestionKind.SINGLE or dim_question["key"] == key:
            raise DomainError("invalid_dimension", _("Cross-tabulate by another single-choice question."), field="by")
        dim = Subquery(
            Answer.objects.filter(response_id=OuterRef("response_id"), question=dim_question["key"]).values("option")[:1], output_field=IntegerField()
        )
        rows = answers.annotate(dim=dim).values_list("version_id", value_field, "dim").annotate(n=Count("id"))
        columns = list(dim_question["options"])
        column_of = lambda version, d: layout.option(version, dim_question["key"], d)  # noqa: E731
    else:
        expression = {
            "sector": "response__person__sector",
            "age_band": _age_band_expression("response__person__birth_date", today),
            "region": Substr("response__person__region__path", 1, 18),
        }[by]
        if isinstance(expression, str):
            rows = answers.values_list("version_id", value_field, expression).annotate(n=Count("id"))
        else:
            rows = answers.annotate(dim=expression).values_list("version_id", value_field, "dim").annotate(n=Count("id"))
        rows = list(rows)
        columns, column_of = _profile_columns(by, rows)
    table: dict[tuple[int | None, int | None], int] = defaultdict(int)
    for version, value, d, n in rows:
        v = value if q["kind"] == QuestionKind.RATING else layout.option(version, key, value)
        table[(v, column_of(version, d))] += n
    if q["kind"] == QuestionKind.RATING:
        row_values = list(qlib.scale(q))
        row_labels = [str(v) for v in row_values]
    else:
        row_values = list(range(len(q["options"])))
        row_labels = list(q["options"])
    col_values = list(range(len(columns)))
    if any(c is None for _r, c in table):
        col_values.append(None)
        columns = [*columns, _("Not known")]
    counts = [[table[(r, c)] for c in col_values] for r in row_values]
    minimum = survey.min_responses if survey.anonymous else 1
    hidden = small_cells(counts, minimum)
    col_totals = [sum(table[(r, c)] for r in row_values) for c in col_values]
    shown = lambda n: None if 0 < n < minimum else n  # noqa: E731  (a total below the minimum is hidden too)
    out_rows = [
        {
            "label": label,
            "counts": [None if (i, j) in hidden else counts[i][j] for j in range(len(col_values))],
            "total": shown(sum(counts[i])),
            "shares": [None if (i, j) in hidden else _share(counts[i][j], t) for j, t in enumerate(col_totals)],
        }
        for i, label in enumerate(row_labels)
    ]
    result = {
        "question": key,
        "by": by,
        "columns": columns,
        "rows": out_rows,
        "totals": [shown(t) for t in col_totals],
        "total": sum(col_totals),
        "hidden_below": minimum if hidden else None,
    }
    if q["kind"] == QuestionKind.RATING:
        # A column's mean with a hidden cell would give its count back (with the total): hidden as well.
        result["means"] = [
            round(sum(r * table[(r, c)] for r in row_values) / t, 2) if t and not any((i, j) in hidden for i in range(len(row_values))) else None
            for j, (c, t) in enumerate(zip(col_values, col_totals, strict=True))
        ]
    return result


def small_cells(counts: list[list[int]], minimum: int) -> set[tuple[int, int]]:
    """The cells of a table that an anonymous survey does not show: every count from 1 to
    minimum − 1, then, while a row or column has exactly one hidden cell (the totals, or the
    question's own counts, would give it back by subtraction), its smallest shown cell as well."""
    if minimum <= 1 or not counts:
        return set()
    lines = [[(i, j) for j in range(len(counts[0]))] for i in range(len(counts))]
    lines += [[(i, j) for i in range(len(counts))] for j in range(len(counts[0]))]
    hidden = {cell for line in lines[: len(counts)] for cell in line if 0 < counts[cell[0]][cell[1]] < minimum}
    changed = bool(hidden)
    while changed:
        changed = False
        for line in lines:
            inside = [cell for cell in line if cell in hidden]
            others = [cell for cell in line if cell not in hidden]
            if len(inside) == 1 and others:
                hidden.add(min(others, key=lambda cell: counts[cell[0]][cell[1]]))
                changed = True
    return hidden


def _profile_columns(by: str, rows: list) -> tuple[list[str], Any]:
    if by == "sector":
        values = list(Sector.values)
        labels = [str(label) for label in Sector.labels]
    elif by == "age_band":
        values = [b.value for b in AgeBand if b.value]
        labels = [str(b.label) for b in AgeBand if b.value]
    else:
        paths = sorted({d for *_rest, d, _n in rows if d and len(d) == 18})
        names = dict(Region.objects.filter(path__in=paths).values_list("path", "name"))
        values, labels = paths, [names.get(p, p) for p in paths]
    index = {v: i for i, v in enumerate(values)}
    return labels, lambda version, d: index.get(d)


# ---- Evaluation index -----------------------------------------------------------------------------


def period_of(survey: Survey) -> str:
    return survey.period or (str(survey.opens_on.year) if survey.opens_on else str(survey.created_at.year))


@dataclass
class IndexRow:
    subject_id: int
    period: str
    survey_id: int
    respondents: int = 0
    measures: dict[str, float | None] = field(default_factory=dict)
    index: float | None = None
    minimum: int = 1  # the survey's min_responses

    @property
    def enough(self) -> bool:
        return self.respondents >= self.minimum


def combine(measures: dict[str, float | None], weights: dict[str, float]) -> float | None:
    """The weighted mean of the measures that have a value (the formula of docs/surveys.md)."""
    present = {m: v for m, v in measures.items() if v is not None and weights.get(m, 0) > 0}
    total = sum(weights[m] for m in present)
    if not total:
        return None
    return round(sum(weights[m] * v for m, v in present.items()) / total, 1)


def evaluation_index(surveys: list[Survey], *, subjects: list[int] | None = None) -> list[IndexRow]:
    """The four measures and the index per (survey, evaluated organization): two GROUP BYs."""
    surveys = [s for s in surveys if s.kind == SurveyKind.EVALUATION]
    if not surveys:
        return []
    layouts = {s.pk: Layout(s) for s in surveys}
    by_pk = {s.pk: s for s in surveys}
    measure_keys = {q["key"] for lay in layouts.values() for q in lay.questions if q["role"] in MEASURES}
    answers = Answer.objects.filter(survey__in=list(by_pk), question__in=measure_keys, response__subject__isnull=False).order_by()
    responses = Response.objects.filter(survey__in=list(by_pk), status=ResponseStatus.SUBMITTED, subject__isnull=False).order_by()
    if subjects is not None:
        answers = answers.filter(response__subject__in=subjects)
        responses = responses.filter(subject__in=subjects)
    sums: dict[tuple[int, int], dict[str, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0.0, 0]))
    for survey_id, version, subject, key, option, number, n in answers.values_list(
        "survey_id", "version_id", "response__subject_id", "question", "option", "number"
    ).annotate(c=Count("id")):
        q = layouts[survey_id].version_questions.get(version, {}).get(key)
        if q is None or q["role"] not in MEASURES:
            continue
        score = qlib.score_of(q, option=option, number=number)
        if score is None:
            continue
        acc = sums[(survey_id, subject)][q["role"]]
        acc[0] += score * n
        acc[1] += n
    rows = []
    for survey_id, subject, n in responses.values_list("survey_id", "subject_id").annotate(c=Count("pk")):
        survey = by_pk[survey_id]
        acc = sums.get((survey_id, subject), {})
        measures = {str(m): (acc[m][0] / acc[m][1] if m in acc and acc[m][1] else None) for m in MEASURES}
        weights = {str(m): float(survey.index_weights.get(str(m), 0)) for m in MEASURES}
        rows.append(
            IndexRow(
                subject_id=subject,
                period=period_of(survey),
                survey_id=survey_id,
                respondents=n,
                minimum=survey.min_responses,
                measures={m: (round(v, 1) if v is not None else None) for m, v in measures.items()},
                index=combine(measures, weights),
            )
        )
    return sorted(rows, key=lambda r: (r.period, r.subject_id))
