"""Questions as data: the frozen form of a version, checking a question's definition, which
questions are shown under the conditions, and validating a submission. Pure functions over
dicts (no database), so that the rules are tested on their own.

A question (as frozen in `SurveyVersion.questions`):
    {"key": "q3", "kind": "single", "text": …, "help": …, "required": true,
     "options": [...], "rows": [...], "scale_min": 1, "scale_max": 5, "min_label": …, "max_label": …,
     "max_choices": null, "condition": {"question": "q1", "in": [0]} | null, "role": "", "scores": []}

Answers, as submitted (JSON or a parsed form): {key: value}, where a single choice is an option
index, a multiple choice a list of indexes, a rating an integer on the scale, a matrix
{row index: column index}, a text a string."""

from typing import Any

from django.utils.translation import gettext as _

from kejia.core.text import whole_number
from kejia.surveys.choices import DIMENSIONS, MEASURES, QuestionKind

MAX_TEXT = 5000
MAX_OPTIONS = 50
CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
CONDITION_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RATING)

Errors = dict[str, list[str]]


def frozen(question) -> dict:
    """A `Question` row as the JSON a version keeps."""
    condition = None
    if question.condition_key:
        condition = {"question": question.condition_key, "in": [int(v) for v in question.condition_options]}
    return {
        "key": question.key,
        "kind": question.kind,
        "text": question.text,
        "help": question.help,
        "required": question.required,
        "options": list(question.options),
        "rows": list(question.rows),
        "scale_min": question.scale_min,
        "scale_max": question.scale_max,
        "min_label": question.min_label,
        "max_label": question.max_label,
        "max_choices": question.max_choices,
        "condition": condition,
        "role": question.role,
        "scores": list(question.scores),
    }


def scale(question: dict) -> range:
    return range(question["scale_min"], question["scale_max"] + 1)


# ---- Checking a definition (the builder) -------------------------------------------------------


def check_definition(q: dict, earlier: list[dict]) -> Errors:
    """What is wrong with one question, by field; `earlier` are the questions before it."""
    errors: Errors = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    kind = q.get("kind")
    if kind not in QuestionKind.values:
        add("kind", _("Choose a kind of question."))
        return errors
    if not str(q.get("text") or "").strip():
        add("text", _("Write the question."))
    options = [str(o).strip() for o in q.get("options") or []]
    if kind in (*CHOICE_KINDS, QuestionKind.MATRIX):
        if len(options) < 2:
            add("options", _("Give at least two options, one a line."))
        if any(not o for o in options):
            add("options", _("An option cannot be empty."))
        if len(set(options)) != len(options):
            add("options", _("Two options have the same text."))
        if len(options) > MAX_OPTIONS:
            add("options", _("At most %(n)s options.") % {"n": MAX_OPTIONS})
    if kind == QuestionKind.MATRIX and not [r for r in q.get("rows") or [] if str(r).strip()]:
        add("rows", _("A matrix needs at least one row."))
    if kind == QuestionKind.RATING:
        lo, hi = q.get("scale_min"), q.get("scale_max")
        if not (isinstance(lo, int) and isinstance(hi, int) and 0 <= lo < hi <= 10):
            add("scale_max", _("A scale runs from 0 or 1 up to at most 10, lowest first."))
    if q.get("max_choices") is not None and kind == QuestionKind.MULTIPLE and not 1 <= q["max_choices"] <= len(options):
        add("max_choices", _("Between 1 and the number of options."))
    scores = q.get("scores") or []
    if scores and (kind != QuestionKind.SINGLE or len(scores) != len(options) or any(not isinstance(s, int | float) or not 0 <= s <= 100 for s in scores)):
        add("scores", _("Give one score from 0 to 100 for each option of a single-choice question."))
    role = q.get("role") or ""
    if role in DIMENSIONS and kind != QuestionKind.SINGLE:
        add("role", _("A sector, age band or region question is a single choice."))
    if role in MEASURES and kind not in (QuestionKind.SINGLE, QuestionKind.RATING):
        add("role", _("A measure of the evaluation index is a single choice or a rating."))
    condition = q.get("condition")
    if condition:
        source = next((e for e in earlier if e["key"] == condition.get("question")), None)
        if source is None:
            add("condition_key", _("A condition names an earlier question."))
        elif source["kind"] not in CONDITION_KINDS:
            add("condition_key", _("A condition can only depend on a choice or rating question."))
        else:
            allowed = scale(source) if source["kind"] == QuestionKind.RATING else range(len(source["options"]))
            values = condition.get("in") or []
            if not values:
                add("condition_options", _("Choose the answers that show this question."))
            elif any(v not in allowed for v in values):
                add("condition_options", _("An answer of the condition is not among the question's options."))
    return errors


# ---- Visibility and validation -------------------------------------------------------------------


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        number = whole_number(text.removeprefix("-"), max_digits=5 if not text.startswith("-") else 4)
        return None if number is None else (-number if text.startswith("-") else number)
    return None


def _parse(q: dict, value: Any) -> tuple[Any, str | None]:
    """The clean value of one answer, or an error message."""
    kind = q["kind"]
    n = len(q["options"])
    if kind == QuestionKind.SINGLE:
        v = _int(value)
        if v is None or not 0 <= v < n:
            return None, _("Choose one of the options.")
        return v, None
    if kind == QuestionKind.MULTIPLE:
        values = value if isinstance(value, list | tuple) else [value]
        parsed = [_int(v) for v in values]
        if any(v is None or not 0 <= v < n for v in parsed):
            return None, _("Choose among the options.")
        parsed = sorted(set(parsed))
        if q.get("max_choices") and len(parsed) > q["max_choices"]:
            return None, _("Choose at most %(n)s options.") % {"n": q["max_choices"]}
        return parsed, None
    if kind == QuestionKind.RATING:
        v = _int(value)
        if v is None or v not in scale(q):
            return None, _("Choose a value from %(lo)s to %(hi)s.") % {"lo": q["scale_min"], "hi": q["scale_max"]}
        return v, None
    if kind == QuestionKind.MATRIX:
        if not isinstance(value, dict):
            return None, _("Answer each row of the table.")
        clean = {}
        for row, col in value.items():
            r, c = _int(row), _int(col)
            if _empty(col):
                continue
            if r is None or not 0 <= r < len(q["rows"]) or c is None or not 0 <= c < n:
                return None, _("Choose one column in each row of the table.")
            clean[r] = c
        if not clean:
            return None, None
        return clean, None
    if not isinstance(value, str):
        return None, _("Write text.")
    text = value.strip()
    if len(text) > MAX_TEXT:
        return None, _("At most %(n)s characters.") % {"n": MAX_TEXT}
    return text or None, None


def chosen(q: dict, value: Any) -> set[int]:
    """The values a condition tests: options chosen, or the rating given."""
    if value is None:
        return set()
    if q["kind"] == QuestionKind.MULTIPLE:
        return set(value)
    return {value}


def visible_keys(questions: list[dict], answers: dict[str, Any]) -> set[str]:
    """Questions shown under the conditions, given clean answers. A question depending on a
    hidden question is hidden too (conditions only look back, so one pass suffices)."""
    shown: set[str] = set()
    by_key = {q["key"]: q for q in questions}
    for q in questions:
        c = q.get("condition")
        if not c:
            shown.add(q["key"])
            continue
        source = by_key.get(c["question"])
        if source is not None and c["question"] in shown and chosen(source, answers.get(c["question"])) & set(c["in"]):
            shown.add(q["key"])
    return shown


def validate_submission(questions: list[dict], data: dict[str, Any], *, partial: bool = False) -> tuple[dict[str, Any], Errors]:
    """Clean answers and errors by question key. Answers to hidden questions are dropped; a
    required question that is shown must be answered (not when `partial`, a draft kept to
    continue later, which keeps what parses and drops the rest)."""
    clean: dict[str, Any] = {}
    errors: Errors = {}
    for q in questions:
        raw = data.get(q["key"])
        if _empty(raw):
            continue
        value, problem = _parse(q, raw)
        if problem and not partial:
            errors[q["key"]] = [problem]
        elif value is not None:
            clean[q["key"]] = value
    shown = visible_keys(questions, clean)
    clean = {k: v for k, v in clean.items() if k in shown}
    errors = {k: v for k, v in errors.items() if k in shown}
    if not partial:
        for q in questions:
            if q["key"] not in shown or q["key"] in clean or q["key"] in errors or not q["required"]:
                continue
            if q["kind"] == QuestionKind.MATRIX:
                errors[q["key"]] = [_("Answer each row of the table.")]
            else:
                errors[q["key"]] = [_("This question is required.")]
        for q in questions:  # a required matrix needs every row
            if q["kind"] == QuestionKind.MATRIX and q["required"] and q["key"] in clean and len(clean[q["key"]]) < len(q["rows"]):
                errors[q["key"]] = [_("Answer each row of the table.")]
    return clean, errors


def answer_rows(questions: list[dict], clean: dict[str, Any]) -> list[tuple[str, int | None, int | None, int | None, str]]:
    """(question, option, row, number, text) for each stored answer item."""
    out = []
    for q in questions:
        value = clean.get(q["key"])
        if value is None:
            continue
        kind = q["kind"]
        if kind == QuestionKind.SINGLE:
            out.append((q["key"], value, None, None, ""))
        elif kind == QuestionKind.MULTIPLE:
            out.extend((q["key"], v, None, None, "") for v in value)
        elif kind == QuestionKind.RATING:
            out.append((q["key"], None, None, value, ""))
        elif kind == QuestionKind.MATRIX:
            out.extend((q["key"], col, row, None, "") for row, col in sorted(value.items()))
        else:
            out.append((q["key"], None, None, None, value))
    return out


def from_form(questions: list[dict], post) -> dict[str, Any]:
    """Answers from a submitted HTML form: `<key>` (and `<key>__<row>` for a matrix)."""
    data: dict[str, Any] = {}
    for q in questions:
        key = q["key"]
        if q["kind"] == QuestionKind.MULTIPLE:
            data[key] = post.getlist(key)
        elif q["kind"] == QuestionKind.MATRIX:
            data[key] = {str(i): post.get(f"{key}__{i}", "") for i in range(len(q["rows"]))}
        else:
            data[key] = post.get(key, "")
    return data


def score_of(q: dict, option: int | None = None, number: int | None = None) -> float | None:
    """The 0–100 score of an answer to a measure question: a rating rescaled linearly, an
    option its given score (default: the first option 100, the last 0, evenly between)."""
    if q["kind"] == QuestionKind.RATING:
        if number is None:
            return None
        lo, hi = q["scale_min"], q["scale_max"]
        return (number - lo) * 100.0 / (hi - lo)
    if option is None or not 0 <= option < len(q["options"]):
        return None
    if q.get("scores"):
        return float(q["scores"][option])
    n = len(q["options"])
    return 100.0 * (n - 1 - option) / (n - 1) if n > 1 else 100.0
