"""Sections an app adds to a page of a lower layer without that page importing it: the person's
profile (people) shows the person's grassroots key staff records (grassroots), yet people imports
no domain app. An app registers a section for a slot in its `AppConfig.ready()`; the page asks for
the sections of its slot and includes each one's template with the context its function gives.

The function receives the user and the object the page already showed them (scope checked by the
page) and applies the user's scope to what it adds; it returns None when it has nothing to show."""

import dataclasses
from collections.abc import Callable
from typing import Any


@dataclasses.dataclass(frozen=True)
class Section:
    slot: str
    template: str
    context: Callable[[Any, Any], dict[str, Any] | None]


_SECTIONS: dict[str, list[Section]] = {}


def register_section(slot: str, *, template: str, context: Callable[[Any, Any], dict[str, Any] | None]) -> None:
    """Add a section to `slot` (once: registering the same template again replaces it)."""
    sections = [s for s in _SECTIONS.get(slot, []) if s.template != template]
    _SECTIONS[slot] = [*sections, Section(slot, template, context)]


def sections_for(slot: str, user, obj) -> list[dict[str, Any]]:
    """The sections to show, in registration order: each {"template": …, "context": {…}}."""
    shown = []
    for section in _SECTIONS.get(slot, []):
        context = section.context(user, obj)
        if context is not None:
            shown.append({"template": section.template, "context": context})
    return shown
