"""The expert search form: words, and filters chosen with pickers — a division (the cascade),
a discipline (GB/T 13745, searched by name or code), an organization (searched within the
caller's scope) — never typed codes. Paging is the shared pager's `page` parameter."""

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from kejia.core.lookup import LookupField, Option
from kejia.organizations import selectors as organizations
from kejia.people.choices import TitleLevel
from kejia.reference.choices import Sector
from kejia.reference.forms import DisciplineLookupField, RegionCodeField
from kejia.search.services import MAX_TEXT_CHARS, ExpertFilters

ORGANIZATIONS_SHOWN = 20


def organization_options(user, text: str) -> list[Option]:
    """Organizations of the caller's scope matching a name or code (the organization picker)."""
    rows = organizations.search_organizations(user, text=text).values_list("code", "name")[:ORGANIZATIONS_SHOWN]
    return [(code, f"{name} · {code}") for code, name in rows]


def organization_option(user, code: str) -> Option | None:
    row = organizations.visible_organizations(user).filter(code=code.strip()).values_list("code", "name").first()
    return (row[0], f"{row[1]} · {row[0]}") if row else None


class ExpertSearchForm(forms.Form):
    MODES = [("words", _("Words")), ("text", _("Experts for a pasted text"))]

    q = forms.CharField(
        label=_("Search"),
        max_length=MAX_TEXT_CHARS,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. machine learning, medical imaging")}),
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=MODES, required=False)
    region = RegionCodeField(required=False, help_text="")
    discipline = DisciplineLookupField(required=False)
    organization = LookupField(
        label=_("Organization"),
        required=False,
        url=reverse_lazy("search:organizations"),
        empty_label=_("Any of my organizations"),
        placeholder=_("Search an organization by name or code"),
    )
    sector = forms.ChoiceField(label=_("Sector"), choices=[("", "—"), *Sector.choices], required=False)
    title_level = forms.ChoiceField(label=_("Title level"), choices=[("", "—"), *TitleLevel.choices], required=False)
    frontline = forms.BooleanField(label=_("Front-line only"), required=False)
    age_min = forms.IntegerField(label=_("Age from"), min_value=0, max_value=150, required=False)
    age_max = forms.IntegerField(label=_("Age to"), min_value=0, max_value=150, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].bind(search=lambda text: organization_options(user, text), get=lambda code: organization_option(user, code))

    def filters(self) -> ExpertFilters:
        d = self.cleaned_data
        return ExpertFilters(
            sector=[d["sector"]] if d.get("sector") else [],
            title_level=[d["title_level"]] if d.get("title_level") else [],
            region=d["region"].code if d.get("region") else None,
            discipline=[d["discipline"]] if d.get("discipline") else [],
            organization=d.get("organization") or None,
            frontline=True if d.get("frontline") else None,
            age_min=d.get("age_min"),
            age_max=d.get("age_max"),
        )
