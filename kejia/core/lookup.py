"""A searchable choice among many (a discipline of GB/T 13745, an organization of the caller's
scope): a search box and a select, both plain form controls, so it works without JavaScript —
type a name and submit: a single match is taken, several fill the select to choose from. With
htmx, typing asks `url` for the matching options (the same `search`) and the select is replaced.

Submitted names, for a field called `discipline`: `discipline` (the select: the chosen code) and
`discipline_q` (the search text). The field cleans to the chosen code ("" when empty); what a
code means, and who may see it, is the `search`/`get` callables' business (the form binds them
to the caller, so the scope of the organization lookup is the caller's)."""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

Option = tuple[str, str]  # (code, label)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,39}")


def safe_name(value: str | None, default: str) -> str:
    """A form input name or id fit to be written into markup (the htmx doors take it from the query)."""
    return value if value and _NAME.fullmatch(value) else default


@dataclass
class LookupInput:
    code: str = ""
    query: str = ""


class LookupWidget(forms.Widget):
    template = "_lookup.html"

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.url = ""
        self.empty_label = ""
        self.field: LookupField | None = None

    def value_from_datadict(self, data, files, name):
        value = LookupInput(code=str(data.get(name) or "").strip()[:40], query=str(data.get(f"{name}_q") or "").strip()[:60])
        return value if value.code or value.query else None

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_q" not in data

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        options, chosen, query, matching = self.field.options_for(value) if self.field else ([], "", "", False)
        return render_to_string(
            self.template,
            {
                "name": name,
                "id": attrs.get("id") or f"id_{name}",
                "options": options,
                "chosen": chosen,
                "query": query,
                "matching": matching,
                "url": self.url,
                "empty_label": self.empty_label,
                "placeholder": attrs.get("placeholder", ""),
            },
        )


class LookupField(forms.Field):
    widget = LookupWidget

    def __init__(
        self,
        *,
        url: str,
        empty_label,
        search: Callable[[str], list[Option]] | None = None,
        get: Callable[[str], Option | None] | None = None,
        defaults: Callable[[], list[Option]] | None = None,
        placeholder="",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.search, self.get, self.defaults = search, get, defaults
        self.widget.url, self.widget.empty_label, self.widget.field = url, empty_label, self
        if placeholder:
            self.widget.attrs["placeholder"] = placeholder

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.widget.field = result
        return result

    def bind(self, *, search: Callable[[str], list[Option]], get: Callable[[str], Option | None], defaults: Callable[[], list[Option]] | None = None) -> None:
        self.search, self.get = search, get
        if defaults is not None:
            self.defaults = defaults

    def prepare_value(self, value):
        return value

    def resolve(self, value) -> tuple[Option | None, list[Option], ValidationError | None]:
        """(the chosen option, the search's matches, an error)."""
        if value in self.empty_values:
            return None, [], None
        if not isinstance(value, LookupInput):
            value = LookupInput(code=str(value))
        if value.query:
            exact = self.get(value.query)
            if exact is not None:
                return exact, [], None
            matches = self.search(value.query)
            chosen = next((m for m in matches if m[0] == value.code), None)
            if chosen is None and len(matches) == 1:
                chosen = matches[0]
            if chosen is not None:
                return chosen, matches, None
            if not matches:
                return None, [], ValidationError(_("Nothing matches “%(text)s”."), params={"text": value.query}, code="no_match")
            return None, matches, ValidationError(_("Several match “%(text)s”: choose one in the list."), params={"text": value.query}, code="several_match")
        chosen = self.get(value.code)
        if chosen is None:
            return None, [], ValidationError(_("Unknown choice: %(code)s."), params={"code": value.code}, code="unknown_choice")
        return chosen, [], None

    def options_for(self, value) -> tuple[list[Option], str, str, bool]:
        """What the widget shows: the options, the chosen code, the search text kept, whether the
        options are a search's matches."""
        chosen, matches, error = self.resolve(value)
        query = value.query if isinstance(value, LookupInput) and error is not None else ""
        if query and chosen is None:
            return matches, "", query, True
        options = list(self.defaults()) if self.defaults else []
        if chosen is not None and chosen[0] not in {code for code, _label in options}:
            options.insert(0, chosen)
        return options, chosen[0] if chosen else "", query, False

    def to_python(self, value) -> str:
        chosen, _matches, error = self.resolve(value)
        if error is not None:
            raise error
        return chosen[0] if chosen else ""


def lookup_options(request, *, search: Callable[[str], list[Option]], empty_label) -> dict:
    """The context of `_lookup_select.html` for a lookup's htmx door: the matches of `q`."""
    name = safe_name(request.GET.get("field"), "choice")
    query = str(request.GET.get(f"{name}_q") or request.GET.get("q") or "").strip()[:60]
    return {
        "name": name,
        "id": safe_name(request.GET.get("id"), f"id_{name}"),
        "options": search(query) if query else [],
        "chosen": "",
        "matching": bool(query),
        "empty_label": empty_label,
    }
