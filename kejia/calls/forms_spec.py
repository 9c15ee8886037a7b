"""Application forms as data: the shape of a FormDefinition's spec, and the check of answers
against it.

    {"sections": [{"key": "basic", "title": "一、基本情况", "help": "", "fields": [FIELD, ...]}],
     "slash_for_empty": true}

FIELD: {"key", "type", "label", "help", "required" (default true), "when", type options}. Types:
short_text (max_length), long_text, date, date_range, month, month_range, number (min, max),
money (within the call's range when "call_range" is true), choice / multi_choice ("options":
[{"value", "label"}]), table ("columns": [FIELD of a scalar type], fixed "rows": [labels] or
"min_rows"), attachment, signoff (the signer's name, the date and the seal image; "opinion": true
adds the opinion text above it), note (text shown, no answer). "when" makes a field apply only
when a condition holds: {"field": key, "equals": value} or {"fact": name, "equals": value}, facts
coming from the application (e.g. "applicant_is_provincial"). "prefill" names where a new
application's answer starts from (PREFILL_SOURCES, kejia.calls.prefill).

With "slash_for_empty" (seed 004 填报说明 一: 所有空表均需填写，如无内容请填“/”) every text blank
that applies must be filled, "/" standing for nothing; typed answers (dates, numbers, money,
choices) must be valid values."""

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kejia.core.errors import DomainError, ValidationFailed

SLASH = "/"
TEXT_TYPES = {"short_text", "long_text"}
SCALAR_TYPES = TEXT_TYPES | {"date", "month", "number", "money", "choice", "attachment"}
FIELD_TYPES = SCALAR_TYPES | {"date_range", "month_range", "multi_choice", "table", "signoff", "note"}
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
# Where a field's starting answer comes from ("prefill"; kejia.calls.prefill reads them).
PREFILL_SOURCES = ("applicant.name", "recommender.name", "month.today", "people.heads", "people.leaders", "people.staff")


def fields(spec: dict):
    """Every field of the spec (section by section), notes included."""
    for section in spec.get("sections", []):
        yield from section.get("fields", [])


def check_spec(spec: dict) -> None:
    """Refuse a malformed definition, naming the field."""
    seen: set[str] = set()
    for section in spec.get("sections", []) or []:
        if not section.get("key") or not section.get("title"):
            raise DomainError("invalid_form", _("Every section needs a key and a title."), field="sections")
        for field in section.get("fields", []):
            key = field.get("key")
            if not key or key in seen:
                raise DomainError("invalid_form", gettext("Field key “%(key)s” is missing or repeated.") % {"key": key}, field=key)
            seen.add(key)
            if field.get("type") not in FIELD_TYPES:
                raise DomainError("invalid_form", gettext("Field “%(key)s” has an unknown type.") % {"key": key}, field=key)
            if field["type"] == "table":
                for column in field.get("columns", []):
                    if column.get("type") not in SCALAR_TYPES:
                        raise DomainError(
                            "invalid_form", gettext("Column “%(col)s” of “%(key)s” has an unknown type.") % {"col": column.get("key"), "key": key}, field=key
                        )
            if field.get("prefill") and field["prefill"] not in PREFILL_SOURCES:
                raise DomainError("invalid_form", gettext("Field “%(key)s” takes its answer from an unknown source.") % {"key": key}, field=key)
            if field["type"] in ("choice", "multi_choice") and not field.get("options"):
                raise DomainError("invalid_form", gettext("Choice field “%(key)s” has no options.") % {"key": key}, field=key)


def applies(field: dict, data: dict, facts: dict) -> bool:
    when = field.get("when")
    if not when:
        return True
    if "fact" in when:
        return facts.get(when["fact"]) == when.get("equals")
    return data.get(when.get("field")) == when.get("equals")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == [] or value == {}


def _month(value: str) -> tuple[int, int] | None:
    match = MONTH.match(str(value).strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return int(match.group(1)), int(match.group(2))


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _scalar_error(field: dict, value: Any, *, slash: bool, money_range: tuple[Decimal, Decimal] | None) -> str | None:
    """The reason a filled-in scalar answer is wrong, or None."""
    kind = field["type"]
    if not isinstance(value, str | int | float):
        return gettext("This answer has the wrong form.")
    text = str(value).strip()
    if kind in TEXT_TYPES:
        if field.get("max_length") and len(text) > field["max_length"]:
            return gettext("At most %(n)s characters.") % {"n": field["max_length"]}
        return None
    if slash and text == SLASH and field.get("allow_slash"):
        return None
    if kind == "date" and _date(text) is None:
        return gettext("Give a date as YYYY-MM-DD.")
    if kind == "month" and _month(text) is None:
        return gettext("Give a month as YYYY-MM.")
    if kind in ("number", "money"):
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation:
            return gettext("Give a number.")
        if not number.is_finite():
            return gettext("Give a number.")
        if kind == "money" and money_range and not money_range[0] <= number <= money_range[1]:
            return gettext("The amount must be between %(low)s and %(high)s yuan.") % {"low": money_range[0], "high": money_range[1]}
        if field.get("min") is not None and number < Decimal(str(field["min"])):
            return gettext("At least %(n)s.") % {"n": field["min"]}
        if field.get("max") is not None and number > Decimal(str(field["max"])):
            return gettext("At most %(n)s.") % {"n": field["max"]}
    if kind == "choice" and text not in {str(o["value"]) for o in field.get("options", [])}:
        return gettext("Choose one of the options.")
    return None


def _range_error(field: dict, value: Any) -> str | None:
    if not isinstance(value, dict) or _blank(value.get("start")) or _blank(value.get("end")):
        return gettext("Give the start and the end.")
    parse = _month if field["type"] == "month_range" else _date
    start, end = parse(value["start"]), parse(value["end"])
    if start is None or end is None:
        return gettext("Give a month as YYYY-MM.") if field["type"] == "month_range" else gettext("Give a date as YYYY-MM-DD.")
    if end < start:
        return gettext("The end comes before the start.")
    return None


class _Checker:
    """The errors of one validation: each keyed by field (and row and column), said with the
    field's label and, in a table, the row (its number, or a fixed row's label) and column."""

    def __init__(self, *, slash: bool, complete: bool):
        self.slash, self.complete = slash, complete
        self.errors: dict[str, list[str]] = {}
        self.fill = gettext("Fill in every blank; write “/” where there is nothing.") if slash else gettext("This answer is required.")

    def add(self, key: str, label: str, message: str, row: int | str | None = None, column: str = "") -> None:
        if row is None:
            where = label
        elif isinstance(row, str):  # a fixed row is named by its label (申报单位负责人)
            where = gettext("%(label)s, %(row)s, %(column)s") % {"label": label, "row": row, "column": column}
        else:
            where = gettext("%(label)s, row %(row)s, %(column)s") % {"label": label, "row": row, "column": column}
        self.errors.setdefault(key, []).append(f"{where}: {message}")


def _table_rows(field: dict, value: list | None) -> tuple[list[dict], list | None]:
    """The rows to check: a fixed table's rows in order (missing ones empty), else the rows with
    anything in them."""
    fixed = field.get("rows")
    if fixed:
        return [(value[i] if i < len(value or []) and isinstance(value[i], dict) else {}) for i in range(len(fixed))], fixed
    return [r for r in (value or []) if isinstance(r, dict) and not all(_blank(r.get(c["key"])) for c in field["columns"])], None


def _check_table(check: _Checker, field: dict, value, required: bool) -> list[dict] | None:
    key, label = field["key"], field.get("label", field["key"])
    if value is None:
        if check.complete and required:
            check.add(key, label, check.fill)
        return None
    if not isinstance(value, list):
        check.add(key, label, gettext("This answer has the wrong form."))
        return None
    rows, fixed = _table_rows(field, value)
    if not fixed and check.complete and required and len(rows) < field.get("min_rows", 1):
        check.add(key, label, gettext("Give at least %(n)s row(s).") % {"n": field.get("min_rows", 1)})
    cleaned_rows = []
    for number, row in enumerate(rows, start=1):
        row_label = fixed[number - 1] if fixed else number
        clean_row = {}
        for column in field["columns"]:
            cell, ckey, clabel = row.get(column["key"]), f"{key}.{number}.{column['key']}", column.get("label", column["key"])
            if _blank(cell):
                if check.complete and column.get("required", True):
                    check.add(ckey, label, check.fill, row_label, clabel)
                continue
            problem = _scalar_error(column, cell, slash=check.slash, money_range=None)
            if problem:
                check.add(ckey, label, problem, row_label, clabel)
            clean_row[column["key"]] = str(cell).strip()
        cleaned_rows.append(clean_row)
    return cleaned_rows


def _check_signoff(check: _Checker, field: dict, value) -> dict | None:
    key, label = field["key"], field.get("label", field["key"])
    if not isinstance(value, dict):
        check.add(key, label, gettext("This answer has the wrong form."))
        return None
    parts = [("name", gettext("signed by")), ("date", gettext("date")), ("seal", gettext("seal image"))]
    if field.get("opinion"):
        parts.insert(0, ("opinion", gettext("opinion")))
    clean = {}
    for part, part_label in parts:
        if _blank(value.get(part)):
            if check.complete:
                check.add(f"{key}.{part}", label, f"{part_label}: {check.fill}")
            continue
        if part == "date" and _date(value[part]) is None:
            check.add(f"{key}.{part}", label, f"{part_label}: {gettext('Give a date as YYYY-MM-DD.')}")
        clean[part] = str(value[part]).strip()
    return clean


def _check_value(check: _Checker, field: dict, value, money_range) -> Any:
    """A filled-in answer that is not a table, cleaned (None when at fault: the error is added)."""
    kind, key, label = field["type"], field["key"], field.get("label", field["key"])
    if kind in ("date_range", "month_range"):
        problem = _range_error(field, value)
        if problem:
            check.add(key, label, problem)
            return None
        return {"start": str(value["start"]).strip(), "end": str(value["end"]).strip()}
    if kind == "multi_choice":
        allowed = {str(o["value"]) for o in field.get("options", [])}
        if not isinstance(value, list) or not all(str(v) in allowed for v in value):
            check.add(key, label, gettext("Choose among the options."))
            return None
        return [str(v) for v in value]
    if kind == "signoff":
        return _check_signoff(check, field, value)
    problem = _scalar_error(field, value, slash=check.slash, money_range=money_range if field.get("call_range") else None)
    if problem:
        check.add(key, label, problem)
        return None
    return str(value).strip()


def validate_answers(spec: dict, data: dict, *, facts: dict | None = None, money_range: tuple[Decimal, Decimal] | None = None, complete: bool = True) -> dict:
    """The answers that apply, cleaned; raises ValidationFailed naming every field (and row) at
    fault. `complete=False` (saving a draft) checks only what is filled in."""
    facts = facts or {}
    check = _Checker(slash=bool(spec.get("slash_for_empty")), complete=complete)
    cleaned: dict[str, Any] = {}
    for field in fields(spec):
        kind, key = field["type"], field["key"]
        if kind == "note" or not applies(field, data, facts):
            continue
        value, required = data.get(key), field.get("required", True)
        if kind == "table":
            rows = _check_table(check, field, value, required)
            if rows is not None:
                cleaned[key] = rows
            continue
        if _blank(value):
            if complete and required:
                check.add(key, field.get("label", key), check.fill)
            continue
        clean = _check_value(check, field, value, money_range)
        if clean is not None:
            cleaned[key] = clean
    if check.errors:
        raise ValidationFailed(check.errors)
    return cleaned
