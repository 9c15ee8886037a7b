"""The application form as a page: the fields of a FormDefinition turned into inputs with their
current answers and errors, and a posted form turned back into answers (the shape
kejia.calls.forms_spec checks). Input names: `f-<key>` for one value, `f-<key>-start`/`-end` for a
range, `f-<key>-<part>` for a sign-off, `f-<key>-<row>-<column>` for a table cell (rows from 1)."""

from typing import Any

from kejia.calls import forms_spec
from kejia.core.text import whole_number

SIGNOFF_PARTS = ("opinion", "name", "date", "seal")
BLANK_ROWS = 2  # free tables show their rows and this many empty ones


def _rows(field: dict, value: Any) -> int:
    if field.get("rows"):
        return len(field["rows"])
    filled = len(value) if isinstance(value, list) else 0
    return max(filled + BLANK_ROWS, field.get("min_rows", 1))


def parse_post(spec: dict, post) -> dict:
    """Answers from a posted form (a QueryDict); blanks are kept as "" so a draft shows them."""
    data: dict[str, Any] = {}
    for field in forms_spec.fields(spec):
        key, kind, name = field["key"], field["type"], f"f-{field['key']}"
        if kind == "note":
            continue
        if kind in ("date_range", "month_range"):
            start, end = post.get(f"{name}-start", ""), post.get(f"{name}-end", "")
            if start or end:
                data[key] = {"start": start, "end": end}
        elif kind == "signoff":
            parts = {p: post.get(f"{name}-{p}", "") for p in SIGNOFF_PARTS if p != "opinion" or field.get("opinion")}
            if any(parts.values()):
                data[key] = parts
        elif kind == "table":
            raw = str(post.get(f"{name}-rows", "0"))
            count = min(whole_number(raw) or 0, 200)
            rows = [{c["key"]: post.get(f"{name}-{r}-{c['key']}", "") for c in field["columns"]} for r in range(1, count + 1)]
            if field.get("rows") or any(any(v for v in row.values()) for row in rows):
                data[key] = rows
        elif kind == "multi_choice":
            values = post.getlist(name)
            if values:
                data[key] = values
        else:
            value = post.get(name, "")
            if value:
                data[key] = value
    return data


def _input(field: dict) -> str:
    return {
        "long_text": "textarea",
        "date": "date",
        "month": "month",
        "number": "number",
        "money": "number",
        "choice": "select",
        "multi_choice": "checkboxes",
    }.get(field["type"], "text")


def view_model(spec: dict, data: dict, errors: dict[str, list[str]], facts: dict) -> list[dict]:
    """Sections with their fields ready for the template: names, values, options, errors."""
    sections = []
    for section in spec.get("sections", []):
        items = []
        for field in section.get("fields", []):
            if not forms_spec.applies(field, data, facts):
                continue
            key, name = field["key"], f"f-{field['key']}"
            value = data.get(key)
            item = {
                "key": key,
                "type": field["type"],
                "label": field.get("label", key),
                "help": field.get("help", ""),
                "text": field.get("text", ""),
                "name": name,
                "required": field.get("required", True),
                "input": _input(field),
                "options": field.get("options", []),
                "errors": [m for k, msgs in errors.items() if k == key or k.startswith(f"{key}.") for m in msgs],
            }
            if field["type"] in ("date_range", "month_range"):
                value = value if isinstance(value, dict) else {}
                kind = "month" if field["type"] == "month_range" else "date"
                item["parts"] = [
                    {"name": f"{name}-start", "value": value.get("start", ""), "input": kind, "part": "start"},
                    {"name": f"{name}-end", "value": value.get("end", ""), "input": kind, "part": "end"},
                ]
            elif field["type"] == "signoff":
                value = value if isinstance(value, dict) else {}
                parts = [p for p in SIGNOFF_PARTS if p != "opinion" or field.get("opinion")]
                item["parts"] = [
                    {"name": f"{name}-{p}", "value": value.get(p, ""), "part": p, "input": "textarea" if p == "opinion" else "date" if p == "date" else "text"}
                    for p in parts
                ]
            elif field["type"] == "table":
                rows = value if isinstance(value, list) else []
                count = _rows(field, rows)
                item["count"] = count
                item["columns"] = [c.get("label", c["key"]) for c in field["columns"]]
                item["rows"] = [
                    {
                        "label": field["rows"][r] if field.get("rows") else r + 1,
                        "cells": [
                            {
                                "name": f"{name}-{r + 1}-{c['key']}",
                                "input": _input(c),
                                "options": c.get("options", []),
                                "label": c.get("label", c["key"]),
                                "value": (rows[r].get(c["key"], "") if r < len(rows) and isinstance(rows[r], dict) else ""),
                            }
                            for c in field["columns"]
                        ],
                    }
                    for r in range(count)
                ]
            elif field["type"] == "multi_choice":
                item["value"] = value if isinstance(value, list) else []
            else:
                item["value"] = value if isinstance(value, str) else ""
            items.append(item)
        sections.append({"title": section["title"], "help": section.get("help", ""), "fields": items})
    return sections
