"""Parsing of the governance pages. Forms turn text into values (dates, numbers, choices, a person
by profile number, an organization by code); who may act, which dates fit a term, duplicate seats
and every other rule are the services' job, whose errors come back next to the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kejia.governance.choices import BodyKind, Comparison, ContactForm, Measure, OfficialStatus, SeatRole
from kejia.organizations.forms import ALL, DateInput

TEXT_MAX = 5000


def _person_field(label=None):
    return forms.IntegerField(label=label or _("person (profile number)"), min_value=1, max_value=2**31 - 1,
                              help_text=_("The number in the address of the person's profile page; find it with the search box."))


def _org_code_field(label):
    return forms.CharField(label=label, max_length=32, help_text=_("The organization's code, e.g. XW."))


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=_("find a person by name"), max_length=64, required=False)


class BodyForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=BodyKind.choices)
    name = forms.CharField(label=_("name (optional)"), max_length=128, required=False)
    term_years = forms.IntegerField(label=_("term length (years)"), min_value=1, max_value=10, initial=5)


class TermForm(forms.Form):
    start = forms.DateField(label=_("start"), widget=DateInput)
    planned_end = forms.DateField(label=_("planned end"), widget=DateInput, required=False,
                                  help_text=_("Empty: the start plus the body's term length."))
    number = forms.IntegerField(label=_("term number"), min_value=1, max_value=999, required=False,
                                help_text=_("Empty: the next number."))


class SeatForm(forms.Form):
    person = _person_field()
    role = forms.ChoiceField(label=_("role"), choices=SeatRole.choices, initial=SeatRole.MEMBER)
    official = forms.ChoiceField(label=_("official (领导干部)"), choices=OfficialStatus.choices, required=False)
    start = forms.DateField(label=_("seated on"), widget=DateInput, required=False, help_text=_("Empty: today, or the term's start."))


class VacateForm(forms.Form):
    end = forms.DateField(label=_("left on"), widget=DateInput, required=False, help_text=_("Empty: today."))
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)


class SlateForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=128, required=False, help_text=_("Empty: “Next term”."))
    planned_start = forms.DateField(label=_("planned start"), widget=DateInput, required=False,
                                    help_text=_("Empty: the planned end of the current term."))
    from_current = forms.BooleanField(label=_("start from the current term's seats"), required=False, initial=True)


class SlateEntryForm(forms.Form):
    person = _person_field()
    role = forms.ChoiceField(label=_("role"), choices=SeatRole.choices, initial=SeatRole.MEMBER)
    official = forms.ChoiceField(label=_("official (领导干部)"), choices=OfficialStatus.choices, required=False)


class ContactAssignForm(forms.Form):
    leader = _person_field(_("leader (profile number)"))
    organization = _org_code_field(_("organization to keep contact with"))
    since = forms.DateField(label=_("since"), widget=DateInput, required=False, help_text=_("Empty: today."))

    def clean_organization(self) -> str:
        return self.cleaned_data["organization"].strip()


class VisitForm(forms.Form):
    date = forms.DateField(label=_("date"), widget=DateInput)
    kind = forms.ChoiceField(label=_("form"), choices=ContactForm.choices, initial=ContactForm.VISIT)
    notes = forms.CharField(label=_("notes"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    issues = forms.CharField(label=_("issues raised"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class EndContactForm(forms.Form):
    until = forms.DateField(label=_("until"), widget=DateInput, required=False, help_text=_("Empty: today."))


class CoverageForm(forms.Form):
    months = forms.IntegerField(label=_("no contact for (months)"), min_value=1, max_value=60, initial=6, required=False)


class ConcurrentForm(forms.Form):
    max_posts = forms.IntegerField(label=_("society posts, at most"), min_value=0, max_value=20, initial=1, required=False)
    max_age = forms.IntegerField(label=_("age, at most"), min_value=18, max_value=120, initial=70, required=False)
    max_terms = forms.IntegerField(label=_("terms in one body, at most"), min_value=1, max_value=20, initial=2, required=False)
    org = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class AlertsForm(forms.Form):
    org = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    within = forms.IntegerField(label=_("due within (days)"), min_value=1, max_value=730, initial=90, required=False)


SORT_KEYS = ("org", "body", "term", "planned_end", "seats", "failures", "targets")


class ComplianceFilterForm(forms.Form):
    ruleset = forms.ChoiceField(label=_("rule set"), choices=ALL, required=False)
    sort = forms.ChoiceField(choices=[(k, k) for key in SORT_KEYS for k in (key, f"-{key}")] + [("", "")], required=False,
                             widget=forms.HiddenInput)
    format = forms.ChoiceField(choices=[("", "html"), ("xlsx", "xlsx")], required=False, widget=forms.HiddenInput)

    def __init__(self, *args, rulesets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ruleset"].choices = ALL + [(name, name) for name in rulesets]


class RuleSetForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=64)
    jurisdiction = forms.CharField(label=_("jurisdiction"), max_length=128)
    source = forms.CharField(label=_("source"), max_length=255, help_text=_("The policy text the rules come from."))
    description = forms.CharField(label=_("description"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class RuleForm(forms.Form):
    body_kinds = forms.MultipleChoiceField(label=_("applies to"), choices=BodyKind.choices, widget=forms.CheckboxSelectMultiple)
    measure = forms.ChoiceField(label=_("measure"), choices=Measure.choices)
    param = forms.IntegerField(label=_("parameter (age)"), min_value=0, max_value=150, required=False,
                               help_text=_("Only for “share aged at most N”: the age N."))
    comparison = forms.ChoiceField(label=_("comparison"), choices=Comparison.choices)
    threshold = forms.CharField(label=_("threshold"), max_length=16, help_text=_("A share as 0.75 or 75%; a count or age as a number."))
    is_target = forms.BooleanField(label=_("a target (左右), not a hard rule"), required=False)
    note = forms.CharField(label=_("note"), max_length=255, required=False)
    sort = forms.IntegerField(label=_("order"), min_value=0, max_value=150, required=False, initial=0)

    def clean_threshold(self) -> str:
        return self.cleaned_data["threshold"].strip().replace("％", "%")


class AssignRuleSetForm(forms.Form):
    organization = _org_code_field(_("organization"))
    include_subtree = forms.BooleanField(label=_("also the organizations below"), required=False, initial=True)

    def clean_organization(self) -> str:
        return self.cleaned_data["organization"].strip()
