"""XLSX exports: the results (counts, shares, means, matrix tables, a cross-tab, the evaluation
index) and the raw answers (one row per response; an anonymous survey's rows carry no personal
data, and come in the order of their random ids)."""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kejia.core.sheets import Book, cell
from kejia.surveys import results as res
from kejia.surveys.choices import QuestionKind, ResponseStatus, SurveyKind
from kejia.surveys.models import Answer, Response, Survey

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def results_xlsx(survey: Survey, *, crosstab: dict | None = None, index_rows: list | None = None, names: dict | None = None) -> bytes:
    layout = res.Layout(survey)
    book = Book()  # every cell through kejia.core.sheets.cell: no formula, no character XML cannot hold
    sheet = book.sheet(_("Results"))
    sheet.append([_("question"), _("text"), pgettext("survey", "answer"), _("count"), _("share %"), _("respondents"), _("mean")])
    for r in res.question_results(survey, layout):
        q = r.question
        if q["kind"] == QuestionKind.TEXT:
            sheet.append([q["key"], cell(q["text"]), _("free-text answers"), r.texts, None, r.respondents, None])
        elif q["kind"] == QuestionKind.MATRIX:
            for row in r.matrix:
                for bar in row["cells"]:
                    sheet.append([q["key"], cell(q["text"]), cell(f"{row['row']} · {bar.label}"), bar.count, bar.share, row["respondents"], None])
        else:
            for bar in r.bars:
                sheet.append([q["key"], cell(q["text"]), cell(bar.label), bar.count, bar.share, r.respondents, r.mean])
    if crosstab:
        sheet = book.sheet(_("Cross-tab"))
        sheet.append([crosstab["question"], *[cell(c) for c in crosstab["columns"]], _("total")])
        hidden = _("fewer than %(n)s") % {"n": crosstab["hidden_below"]} if crosstab.get("hidden_below") else None
        for row in crosstab["rows"]:
            sheet.append([cell(row["label"]), *[hidden if n is None else n for n in row["counts"]], hidden if row["total"] is None else row["total"]])
        sheet.append([_("total"), *[hidden if n is None else n for n in crosstab["totals"]], crosstab["total"]])
    if survey.kind == SurveyKind.EVALUATION and index_rows:
        sheet = book.sheet(_("Evaluation index"))
        sheet.append([_("organization"), _("period"), _("respondents"), _("awareness"), _("participation"), _("benefit"), _("satisfaction"), _("index")])
        for row in index_rows:
            sheet.append(
                [
                    cell((names or {}).get(row.subject_id, str(row.subject_id))),
                    row.period,
                    row.respondents,
                    *[row.measures.get(m) for m in ("awareness", "participation", "benefit", "satisfaction")],
                    row.index,
                ]
            )
    return book.save()


def raw_xlsx(survey: Survey) -> bytes:
    """One row per submitted response, one column per question (a matrix: one per row)."""

    layout = res.Layout(survey)
    columns: list[tuple[str, int | None]] = []
    header: list[str] = [_("no.")]
    if not survey.anonymous:
        header += [_("person id"), pgettext("person", "name"), _("submitted on")]
    header += [_("channel"), _("station"), _("organization evaluated"), _("version")]
    for q in layout.questions:
        if q["kind"] == QuestionKind.MATRIX:
            for i, row in enumerate(q["rows"]):
                columns.append((q["key"], i))
                header.append(f"{q['key']} {row}")
        else:
            columns.append((q["key"], None))
            header.append(f"{q['key']} {q['text'][:40]}")
    position = {c: i for i, c in enumerate(columns)}
    book = Book()
    sheet = book.sheet(pgettext("survey", "Answers"))
    sheet.append([cell(h) for h in header])
    responses = (
        Response.objects.filter(survey=survey, status=ResponseStatus.SUBMITTED)
        .order_by("id")
        .values_list("id", "version_id", "version__number", "person_id", "person__name", "submitted_on", "channel", "station__name", "subject__name")
    )
    answers = (
        Answer.objects.filter(survey=survey)
        .order_by("response_id", "id")
        .values_list("response_id", "version_id", "question", "row", "option", "number", "text")
        .iterator(chunk_size=5000)
    )
    pending = next(answers, None)
    for n, (pk, _version, number, person_id, name, submitted_on, channel, station, subject) in enumerate(responses.iterator(chunk_size=2000), 1):
        cells: list[Any] = [""] * len(columns)
        while pending is not None and pending[0] <= pk:
            if pending[0] == pk:
                _put(cells, position, layout, pending)
            pending = next(answers, None)
        head = [n]
        if not survey.anonymous:
            head += [person_id, cell(name or ""), submitted_on]
        head += [channel, cell(station or ""), cell(subject or ""), number]
        sheet.append(head + [cell(c) for c in cells])
    return book.save()


def _put(cells: list, position: dict, layout: res.Layout, answer: tuple) -> None:
    _rid, version, key, row, option, number, text = answer
    q = layout.by_key.get(key)
    if q is None:
        return
    if q["kind"] == QuestionKind.MATRIX:
        r, o = layout.row(version, key, row), layout.option(version, key, option)
        if r is not None and o is not None:
            cells[position[(key, r)]] = q["options"][o]
        return
    i = position[(key, None)]
    if q["kind"] == QuestionKind.RATING:
        cells[i] = number
    elif q["kind"] == QuestionKind.TEXT:
        cells[i] = text
    else:
        o = layout.option(version, key, option)
        label = q["options"][o] if o is not None else ""
        cells[i] = f"{cells[i]}; {label}" if cells[i] else label
