"""What every JSON operation shares: one paging schema with its bounds, and the input guard that
keeps integers within what the databases hold and NUL characters out of text.

Both refusals are a 422 naming the field, in the format of every other validation error. The guard
runs on the validated arguments of every operation (`api.add_decorator(guard_input)`), so no
endpoint can forget it; a field with bounds of its own (`Field(ge=…, le=…)`) keeps them."""

import datetime
import decimal
import enum
import functools
import math
import typing
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import annotated_types
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import ValidationError
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from kejia.core.errors import DomainError, ValidationFailed
from kejia.core.rows import max_length_of

# A list or a search never reads further than this: a search library keeps offset + limit hits in
# memory, so an unbounded offset is a way to stop the server.
MAX_LIMIT = 500
MAX_OFFSET = 1_000_000

# PostgreSQL's `integer`, the narrowest integer column the models use (SQLite's hold 64 bits). A field
# that stores something wider (a primary key) declares its own bounds.
INT_MIN = -(2**31)
INT_MAX = 2**31 - 1


class PageParams(Schema):
    """`limit`/`offset` paging of every list and search."""

    limit: int = Field(50, ge=1, le=MAX_LIMIT, description=f"Rows per page (at most {MAX_LIMIT})")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description=f"Rows to skip (at most {MAX_OFFSET})")


def window(qs: QuerySet | Sequence, params: PageParams) -> list:
    """The rows of one page."""
    return list(qs[params.offset : params.offset + params.limit])


def page_of(qs: QuerySet | Sequence, params: PageParams) -> dict[str, Any]:
    """One page with the total before paging: {count, limit, offset, items}. A list computed in
    Python (a report) is paged the same way as a query."""
    count = qs.count() if isinstance(qs, QuerySet) else len(qs)
    return {"count": count, "limit": params.limit, "offset": params.offset, "items": window(qs, params)}


def _bounded(metadata: list) -> bool:
    for item in metadata:
        if isinstance(item, annotated_types.Interval | annotated_types.Ge | annotated_types.Gt | annotated_types.Le | annotated_types.Lt):
            return True
        if isinstance(item, FieldInfo) and _bounded(item.metadata):
            return True
    return False


def _annotation_bounded(annotation: Any) -> bool:
    """Whether a parameter's annotation (Annotated[int, Path(le=…)], Query[…]) declares bounds."""
    if typing.get_origin(annotation) is typing.Annotated:
        return _bounded(list(typing.get_args(annotation)[1:]))
    return False


class _Refusals:
    def __init__(self):
        self.errors: list[dict] = []

    def add(self, loc: list, message: str, kind: str) -> None:
        self.errors.append({"loc": tuple(str(p) for p in loc), "msg": message, "type": kind})

    def walk(self, value: Any, loc: list, *, bounded: bool = False, depth: int = 0) -> None:
        if depth > 32 or value is None or isinstance(value, bool | enum.Enum | datetime.date | datetime.time):
            return
        if isinstance(value, int):
            if not bounded and not INT_MIN <= value <= INT_MAX:
                self.add(loc, _("Enter a whole number between %(min)s and %(max)s.") % {"min": INT_MIN, "max": INT_MAX}, "int_out_of_range")
        elif isinstance(value, float):
            if not math.isfinite(value):
                self.add(loc, _("Enter a finite number."), "finite_number")
        elif isinstance(value, decimal.Decimal):
            if not value.is_finite():
                self.add(loc, _("Enter a finite number."), "finite_number")
        elif isinstance(value, str):
            if "\x00" in value:
                self.add(loc, _("Text cannot contain NUL characters."), "null_character")
        elif isinstance(value, BaseModel):
            for name, info in type(value).model_fields.items():
                self.walk(getattr(value, name, None), [*loc, info.alias or name], bounded=_bounded(info.metadata), depth=depth + 1)
        elif isinstance(value, dict):
            for key, item in value.items():
                self.walk(key, [*loc, key], depth=depth + 1)
                self.walk(item, [*loc, key], depth=depth + 1)
        elif isinstance(value, list | tuple | set | frozenset):
            for index, item in enumerate(value):
                self.walk(item, [*loc, index], depth=depth + 1)


def guard_input(view_func: Callable) -> Callable:
    """Refuse, as a 422 naming the field, an integer outside the database's range and text with NUL
    characters anywhere in an operation's validated arguments (path, query, body, form)."""
    try:
        hints = typing.get_type_hints(view_func, include_extras=True)
    except Exception:  # noqa: BLE001 — an annotation that cannot be resolved declares no bounds
        hints = {}
    bounded = {name for name, annotation in hints.items() if _annotation_bounded(annotation)}

    @functools.wraps(view_func)
    def guarded(request, *args, **kwargs):
        refusals = _Refusals()
        for name, value in kwargs.items():
            # A schema's fields are named by themselves, as in every other validation error (the
            # handler drops the source and the parameter's name of a body).
            refusals.walk(value, ["body", name] if isinstance(value, BaseModel) else ["query", name], bounded=name in bounded)
        if refusals.errors:
            raise ValidationError(refusals.errors)
        return view_func(request, *args, **kwargs)

    return guarded


def caller(request):
    """The authenticated user of an API request (a bearer token's or the session's)."""
    return request.auth


@contextmanager
def fields_named(mapping: dict[str, str]) -> Iterator[None]:
    """Services name model fields (`person`, `parent`); the API's bodies name ids (`person_id`):
    a refusal raised inside names the body's field."""
    try:
        yield
    except ValidationFailed as exc:
        exc.errors = {mapping.get(k, k): v for k, v in exc.errors.items()}
        exc.field = mapping.get(exc.field, exc.field)
        raise
    except DomainError as exc:
        exc.field = mapping.get(exc.field, exc.field)
        raise


def model_field(model: type[Model], name: str, default: Any = ..., **kwargs: Any) -> Any:
    """A schema field that takes its length limit from the model field of that name: the rule
    is declared once, on the model, and a change there shows in the API's schema (and its 422)."""
    return Field(default, max_length=max_length_of(model, name), **kwargs)
