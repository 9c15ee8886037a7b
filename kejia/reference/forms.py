"""The division picker: one form field for every page that asks "where" (organizations, /find/,
/coverage/, activities, expert search, the front page).

It is a cascade of selects — province → city → county → township — and a search by name. Both
are plain form controls, so the picker works without JavaScript as an ordinary form: choose a
province and submit, the page comes back with the province chosen and the cities to choose from;
type a name and submit, a single match is taken, several are listed to choose from. With
JavaScript, htmx asks `reference:picker` for the same picker after each change (the same
`read_region_input` and template), so the cascade opens in place. A plain `region=<code>` (links,
tests, the API's forms) is still accepted.

Submitted names, for a field called `region`: `region_1` … `region_4` (the levels),
`region_q` (the search text), `region_pick` (a choice among the search's matches)."""

from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from kejia.core.lookup import LookupField, Option
from kejia.core.validators import validate_division_code
from kejia.reference import selectors
from kejia.reference.models import Region, RegionLevel

LEVELS = 4
MATCHES_SHOWN = 20


@dataclass
class RegionInput:
    """What the picker's controls sent, resolved once (`resolve`) to a division or an error."""

    code: str = ""
    levels: tuple[str, ...] = ()
    query: str = ""
    pick: str = ""
    region: Region | None = None
    matches: list[Region] = field(default_factory=list)
    error: ValidationError | None = None
    resolved: bool = False

    @property
    def empty(self) -> bool:
        return not (self.code or any(self.levels) or self.query or self.pick)

    def resolve(self) -> "RegionInput":
        if self.resolved:
            return self
        self.resolved = True
        if self.query:
            self._resolve_query()
            if self.region is not None or self.error is not None:
                return self
        if self.code:
            try:
                code = validate_division_code(self.code)
            except ValidationError as exc:
                self.error = exc
                return self
            self.region = selectors.get_region(code)
            if self.region is None:
                self.error = ValidationError(_("There is no administrative division with the code %(code)s."), params={"code": code}, code="unknown_region")
            return self
        # The levels, from the province down, as long as each is a child of the one above
        # (a province changed without JavaScript leaves the old city behind: it is dropped).
        found = selectors.regions_by_code(self.levels)
        parent = None
        for code in self.levels:
            region = found.get(code)
            if region is None or region.parent_id != (parent.code if parent else None) or (parent is None and region.level != 1):
                break
            parent = region
        self.region = parent
        return self

    def _resolve_query(self) -> None:
        text = self.query.strip()
        exact = selectors.get_region(text) if text.isdigit() else None
        if exact is not None:
            self.region, self.query = exact, ""
            return
        self.matches = list(selectors.find_regions(text, limit=MATCHES_SHOWN))
        chosen = next((r for r in self.matches if r.code == self.pick), None)
        if chosen is None and len(self.matches) == 1:
            chosen = self.matches[0]
        if chosen is not None:
            self.region, self.query, self.matches = chosen, "", []
        elif not self.matches:
            self.error = ValidationError(_("No division matches “%(text)s”."), params={"text": text[:40]}, code="no_region_match")
        else:
            self.error = ValidationError(_("Several divisions match “%(text)s”: choose one in the list."), params={"text": text[:40]}, code="several_regions")


def read_region_input(data, name: str) -> RegionInput:
    """The picker's controls named after `name`, from a QueryDict (or dict)."""

    def get(key: str) -> str:
        return str(data.get(key) or "").strip()[:40]

    levels = tuple(get(f"{name}_{i}") for i in range(1, LEVELS + 1))
    return RegionInput(code=get(name)[:12], levels=levels, query=get(f"{name}_q"), pick=get(f"{name}_pick")[:12])


def picker_context(name: str, value, *, id_prefix: str = "") -> dict:
    """The template context of the picker for a field `name` holding `value` (a RegionInput, a
    Region, a code or nothing)."""
    if isinstance(value, Region):
        state = RegionInput(region=value, resolved=True)
    elif isinstance(value, RegionInput):
        state = value.resolve()
    else:
        state = RegionInput(code=str(value or "")).resolve()
    if state.error is not None and state.code:
        state = RegionInput(resolved=True)  # an unknown code shows an empty cascade (the error says why)
    level_labels = dict(RegionLevel.choices)
    levels = [{"number": n, "label": level_labels[n], "options": options, "chosen": chosen} for n, options, chosen in selectors.picker_levels(state.region)]
    return {
        "name": name,
        "id": id_prefix or f"id_{name}",
        "state": state,
        "levels": levels,
        "region": state.region,
        "matches": state.matches,
        "query": state.query,
    }


class RegionPickerWidget(forms.Widget):
    template = "reference/_region_picker.html"

    def value_from_datadict(self, data, files, name):
        value = read_region_input(data, name)
        return None if value.empty else value

    def value_omitted_from_data(self, data, files, name):
        return read_region_input(data, name).empty

    def id_for_label(self, id_):
        return f"{id_}_1" if id_ else id_

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        return render_to_string(self.template, picker_context(name, value, id_prefix=attrs.get("id") or ""))


class RegionCodeField(forms.Field):
    """A division chosen with the picker, cleaned to its Region (None when left empty)."""

    widget = RegionPickerWidget

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Region"))
        kwargs.setdefault("help_text", _("Pick province, city, county and township, or search by name."))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Region):
            return value
        if not isinstance(value, RegionInput):
            value = RegionInput(code=str(value).strip()[:12])
        value.resolve()
        if value.error is not None:
            raise value.error
        return value.region

    def validate(self, value):
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")

    def has_changed(self, initial, data):
        def code(v):
            if isinstance(v, Region):
                return v.code
            if isinstance(v, RegionInput):
                v.resolve()
                return v.region.code if v.region else ""
            return str(v or "")

        return code(initial) != code(data)


def _discipline_option(d) -> Option:
    return (d.code, f"{d.code} {d.name}")


class DisciplineLookupField(LookupField):
    """A GB/T 13745 discipline, searched by name or code (cleans to its code, "" when empty).
    The select offers the first level until a search narrows it."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Discipline"))
        kwargs.setdefault("empty_label", _("Any discipline"))
        kwargs.setdefault("placeholder", _("Search a discipline by name or code"))
        super().__init__(
            url=reverse_lazy("reference:disciplines"),
            search=discipline_options,
            get=discipline_option,
            defaults=lambda: [_discipline_option(d) for d in selectors.disciplines().filter(level=1)],
            **kwargs,
        )


def discipline_option(code: str) -> Option | None:
    discipline = selectors.get_discipline(code)
    return _discipline_option(discipline) if discipline else None


def discipline_options(text: str) -> list[Option]:
    return [_discipline_option(d) for d in selectors.find_disciplines(text)]
