"""One way a service validates a row before it writes it, on creation and on a partial update alike.

A single field's rules live on the model (max_length, choices, validators, blank, constraints);
a service runs them through `validate_row` instead of repeating them, and `update_row` does the
whole partial update: the values set, the rules across objects the caller checks, the model's own
rules, the save, and the audit's old and new values of what changed (docs/architecture.md, "Rules
declared once")."""

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from kejia.core.audit import changed
from kejia.core.errors import ValidationFailed


def _values(instance: models.Model) -> dict[str, Any]:
    return {field.name: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def max_length_of(model: type[models.Model], name: str) -> int | None:
    """The length limit the model declares for a field: what a form or an API schema takes
    instead of repeating the number."""
    return model._meta.get_field(name).max_length


def validate_row(instance: models.Model, *, fields: Iterable[str] | None = None, exclude: Iterable[str] = ()) -> None:
    """Check `instance` against its model's declarations, as `full_clean` does: each field's
    length, choices and validators, `clean()`, unique fields and constraints. With `fields`, only
    those fields are judged (the rest are left as stored). A failure is ValidationFailed naming
    every field at fault."""
    skip = set(exclude)
    if fields is not None:
        skip |= {field.name for field in instance._meta.concrete_fields} - set(fields)
    try:
        instance.full_clean(exclude=sorted(skip), validate_unique=True, validate_constraints=True)
    except ValidationError as exc:
        raise ValidationFailed({key: [str(message) for message in messages] for key, messages in exc.message_dict.items()}) from None


def set_fields(instance: models.Model, changes: dict[str, Any]) -> None:
    """The plain way to write a change: each value set as sent, texts stripped."""
    for key, value in changes.items():
        setattr(instance, key, value.strip() if isinstance(value, str) else value)


def update_row(
    instance: models.Model,
    changes: dict[str, Any],
    *,
    audit_view: Callable[[models.Model], dict[str, Any]],
    write: Callable[[Any, dict[str, Any]], None] = set_fields,
    check: Callable[[Any], None] | None = None,
    only_changed: bool = False,
    exclude: Iterable[str] = (),
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A partial update of `instance` (locked by the caller): `write` sets the changes, `check`
    runs the rules across objects, `validate_row` the model's own rules — on every field, or with
    `only_changed` on the fields whose value this change altered —, then the row is saved. Returns
    (old, new) of `audit_view` for what changed, for the audit event."""
    before, stored = audit_view(instance), _values(instance)
    write(instance, changes)
    if check is not None:
        check(instance)
    fields = None
    if only_changed:
        fields = [name for name, value in _values(instance).items() if stored.get(name) != value]
    validate_row(instance, fields=fields, exclude=exclude)
    instance.save()
    return changed(before, audit_view(instance))
