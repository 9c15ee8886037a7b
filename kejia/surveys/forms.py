"""Parsing of the survey pages. Forms turn text into values; every rule (who may act, what a
question needs, which conditions fit) is the services' job, whose errors come back next to the field.
Options and conditions are numbered from 1 on the pages (people count from one) and from 0 in data."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kejia.core.rows import max_length_of
from kejia.core.text import whole_number
from kejia.organizations.forms import DateInput
from kejia.people.choices import TitleLevel
from kejia.reference.choices import Sector
from kejia.surveys.choices import QuestionKind, QuestionRole, SurveyKind, TargetKind
from kejia.surveys.models import Question, Survey
from kejia.surveys.templates_data import TEMPLATE_CHOICES

TEXTAREA = forms.Textarea(attrs={"rows": 4})


def _blank(choices):
    return [("", "—"), *choices]


class SurveyForm(forms.Form):
    organization = forms.CharField(label=_("organization (code)"), max_length=32, help_text=_("The organization that runs the survey, e.g. XW."))
    title = forms.CharField(label=pgettext_lazy("heading", "title"), max_length=max_length_of(Survey, "title"))
    description = forms.CharField(label=_("description"), widget=TEXTAREA, required=False, max_length=5000)
    kind = forms.ChoiceField(label=_("kind"), choices=SurveyKind.choices, initial=SurveyKind.GENERAL)
    anonymous = forms.BooleanField(
        label=_("anonymous"), required=False, help_text=_("Answers cannot be traced to a person, not even by an administrator. Fixed once published.")
    )
    opens_on = forms.DateField(label=_("opens on"), widget=DateInput, required=False)
    closes_on = forms.DateField(label=_("closes on"), widget=DateInput, required=False)
    period = forms.CharField(
        label=_("period"), max_length=max_length_of(Survey, "period"), required=False, help_text=_("e.g. 2026; evaluation indexes are compared by period.")
    )


class SurveyEditForm(SurveyForm):
    weight_awareness = forms.IntegerField(label=_("weight of awareness (%)"), min_value=0, max_value=100, required=False)
    weight_participation = forms.IntegerField(label=_("weight of participation (%)"), min_value=0, max_value=100, required=False)
    weight_benefit = forms.IntegerField(label=_("weight of benefit (%)"), min_value=0, max_value=100, required=False)
    weight_satisfaction = forms.IntegerField(label=_("weight of satisfaction (%)"), min_value=0, max_value=100, required=False)
    min_responses = forms.IntegerField(
        label=_("fewest answers for an index"),
        min_value=1,
        max_value=1000,
        required=False,
        help_text=_("An evaluated organization with fewer answers in a period shows no index."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["organization"]


class InstallForm(forms.Form):
    organization = forms.CharField(label=_("organization (code)"), max_length=32)
    template = forms.ChoiceField(label=_("template"), choices=TEMPLATE_CHOICES)
    period = forms.CharField(label=_("period"), max_length=max_length_of(Survey, "period"), required=False)


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("question"), max_length=max_length_of(Question, "text"))
    help = forms.CharField(label=_("help text"), max_length=max_length_of(Question, "help"), required=False)
    required = forms.BooleanField(label=_("required"), required=False, initial=True)
    options = forms.CharField(label=_("options (one a line; a matrix's columns)"), widget=TEXTAREA, required=False, max_length=5000)
    rows = forms.CharField(label=_("matrix rows (one a line)"), widget=TEXTAREA, required=False, max_length=5000)
    scale_min = forms.IntegerField(label=_("scale from"), min_value=0, max_value=10, initial=1, required=False)
    scale_max = forms.IntegerField(label=_("scale to"), min_value=1, max_value=10, initial=5, required=False)
    min_label = forms.CharField(label=_("label of the lowest value"), max_length=max_length_of(Question, "min_label"), required=False)
    max_label = forms.CharField(label=_("label of the highest value"), max_length=max_length_of(Question, "max_label"), required=False)
    max_choices = forms.IntegerField(label=_("at most this many choices"), min_value=1, max_value=50, required=False)
    condition_key = forms.ChoiceField(label=_("show only if question"), required=False)
    condition_options = forms.CharField(label=_("has one of these answers (option numbers or rating values, e.g. 1,3)"), max_length=100, required=False)
    role = forms.ChoiceField(label=_("meaning in results"), choices=QuestionRole.choices, required=False)
    scores = forms.CharField(label=_("scores of the options, 0–100 (e.g. 100,50,0)"), max_length=300, required=False)

    def __init__(self, *args, earlier=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.earlier = list(earlier)
        self.fields["condition_key"].choices = [("", _("always shown"))] + [(q["key"], f"{q['key']} {q['text'][:40]}") for q in self.earlier]

    def clean_condition_options(self):
        raw = self.cleaned_data.get("condition_options", "").replace("，", ",")
        values = []
        for part in raw.split(","):
            part = part.strip()
            if not part:
                continue
            number = whole_number(part, max_digits=3)
            if number is None:
                raise forms.ValidationError(_("Give numbers separated by commas."))
            values.append(number)
        return values

    def service_fields(self) -> dict:
        """The cleaned values as the service takes them (options counted from 0)."""
        d = dict(self.cleaned_data)
        source = next((q for q in self.earlier if q["key"] == d.get("condition_key")), None)
        values = d.pop("condition_options", [])
        if source is not None and source["kind"] != QuestionKind.RATING:
            values = [v - 1 for v in values]
        d["condition_options"] = values if source is not None else []
        d["scale_min"] = 1 if d.get("scale_min") is None else d["scale_min"]
        d["scale_max"] = 5 if d.get("scale_max") is None else d["scale_max"]
        return d

    @staticmethod
    def initial_of(question) -> dict:
        condition_options = list(question.condition_options)
        source = question.survey.questions.filter(key=question.condition_key).first() if question.condition_key else None
        if source is not None and source.kind != QuestionKind.RATING:
            condition_options = [v + 1 for v in condition_options]
        return {
            "kind": question.kind,
            "text": question.text,
            "help": question.help,
            "required": question.required,
            "options": "\n".join(question.options),
            "rows": "\n".join(question.rows),
            "scale_min": question.scale_min,
            "scale_max": question.scale_max,
            "min_label": question.min_label,
            "max_label": question.max_label,
            "max_choices": question.max_choices,
            "condition_key": question.condition_key,
            "condition_options": ",".join(str(v) for v in condition_options),
            "role": question.role,
            "scores": ",".join(f"{s:g}" for s in question.scores),
        }


class TargetForm(forms.Form):
    kind = forms.ChoiceField(label=_("distribute to"), choices=TargetKind.choices)
    organization = forms.CharField(
        label=_("organization or station (code)"), max_length=32, required=False, help_text=_("For the people an organization lists, or a survey station.")
    )
    region = forms.CharField(label=_("region (division code)"), max_length=9, required=False)
    sector = forms.ChoiceField(label=_("sector"), choices=_blank(Sector.choices), required=False)
    title_level = forms.ChoiceField(label=_("title level"), choices=_blank(TitleLevel.choices), required=False)
    age_min = forms.IntegerField(label=_("age from"), min_value=16, max_value=100, required=False)
    age_max = forms.IntegerField(label=_("age to"), min_value=16, max_value=100, required=False)
    discipline = forms.CharField(label=_("discipline (code prefix)"), max_length=8, required=False)
    listed_by = forms.CharField(label=_("listed by organization (code)"), max_length=32, required=False)

    def filters(self) -> dict:
        d = self.cleaned_data
        out = {k: d[k] for k in ("region", "sector", "title_level", "age_min", "age_max", "discipline") if d.get(k) not in (None, "")}
        if d.get("listed_by"):
            out["organization"] = d["listed_by"]
        return out


class SubjectsForm(forms.Form):
    codes = forms.CharField(label=_("organizations evaluated (codes, one a line)"), widget=TEXTAREA, max_length=20000)


class CrosstabForm(forms.Form):
    question = forms.ChoiceField(label=_("question"), required=False)
    by = forms.ChoiceField(label=_("broken down by"), required=False)

    def __init__(self, *args, questions=(), dimensions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].choices = [("", "—")] + [
            (q["key"], f"{q['key']} {q['text'][:40]}") for q in questions if q["kind"] in (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RATING)
        ]
        self.fields["by"].choices = [("", "—"), *dimensions]


class StationForm(forms.Form):
    station = forms.ChoiceField(label=_("survey station"))
    person = forms.IntegerField(label=_("person (profile number)"), min_value=1, max_value=2**31 - 1, required=False)

    def __init__(self, *args, stations=(), identified=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].choices = [(str(s.pk), s.name) for s in stations]
        if not identified:
            del self.fields["person"]
