from django import forms
from django.utils.translation import gettext_lazy as _

from kejia.people.choices import TitleLevel
from kejia.reference.choices import Sector
from kejia.search.services import ExpertFilters


class ExpertSearchForm(forms.Form):
    MODES = [("words", _("Words")), ("text", _("Experts for a pasted text"))]

    q = forms.CharField(label=_("Search"), max_length=4000, required=False)
    mode = forms.ChoiceField(label=_("Mode"), choices=MODES, required=False)
    sector = forms.ChoiceField(label=_("Sector"), choices=[("", "—"), *Sector.choices], required=False)
    title_level = forms.ChoiceField(label=_("Title level"), choices=[("", "—"), *TitleLevel.choices], required=False)
    region = forms.CharField(label=_("Region (division code)"), max_length=9, required=False)
    discipline = forms.CharField(label=_("Discipline code"), max_length=8, required=False)
    organization = forms.CharField(label=_("Organization code"), max_length=32, required=False)
    frontline = forms.BooleanField(label=_("Front-line only"), required=False)
    age_min = forms.IntegerField(label=_("Age from"), min_value=0, max_value=150, required=False)
    age_max = forms.IntegerField(label=_("Age to"), min_value=0, max_value=150, required=False)
    page = forms.IntegerField(label=_("page number"), min_value=1, max_value=1000, required=False)

    def filters(self) -> ExpertFilters:
        d = self.cleaned_data
        return ExpertFilters(
            sector=[d["sector"]] if d.get("sector") else [], title_level=[d["title_level"]] if d.get("title_level") else [],
            region=d.get("region") or None, discipline=[d["discipline"]] if d.get("discipline") else [],
            organization=d.get("organization") or None, frontline=True if d.get("frontline") else None,
            age_min=d.get("age_min"), age_max=d.get("age_max"),
        )
