"""Parsing of the governance pages. Forms turn text into values (dates, numbers, choices, a person
by profile number, an organization by code); who may act, which dates fit a term, duplicate seats
and every other rule are the services' job, whose errors come back next to the field."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kejia.core.rows import max_length_of
from kejia.governance.choices import BodyKind, Comparison, ContactForm, Measure, OfficialStatus, SeatRole
from kejia.governance.models import Body, DeclaredPost, Rule, RuleSet, Seat, Slate
from kejia.governance.rulesets import title_of
from kejia.organizations.forms import ALL, DateInput
from kejia.organizations.kinds import OrgKind

TEXT_MAX = 5000


def _person_field(label=None):
    return forms.IntegerField(
        label=label or _("person (profile number)"),
        min_value=1,
        max_value=2**31 - 1,
        help_text=_("The number in the address of the person's profile page; find it with the search box."),
    )


def _org_code_field(label):
    return forms.CharField(label=label, max_length=32, help_text=_("The organization's code, e.g. XW."))


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=_("find a person by name"), max_length=64, required=False)


class BodyForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=BodyKind.choices)
    name = forms.CharField(label=_("name (optional)"), max_length=max_length_of(Body, "name"), required=False)
    term_years = forms.IntegerField(label=_("term length (years)"), min_value=1, max_value=10, initial=5)


class TermForm(forms.Form):
    start = forms.DateField(label=_("start"), widget=DateInput)
    planned_end = forms.DateField(label=_("planned end"), widget=DateInput, required=False, help_text=_("Empty: the start plus the body's term length."))
    number = forms.IntegerField(label=_("term number"), min_value=1, max_value=999, required=False, help_text=_("Empty: the next number."))


class SeatForm(forms.Form):
    person = _person_field()
    role = forms.ChoiceField(label=_("role"), choices=SeatRole.choices, initial=SeatRole.MEMBER)
    official = forms.ChoiceField(label=_("official (领导干部)"), choices=OfficialStatus.choices, required=False)
    start = forms.DateField(label=_("seated on"), widget=DateInput, required=False, help_text=_("Empty: today, or the term's start."))


class VacateForm(forms.Form):
    end = forms.DateField(label=_("left on"), widget=DateInput, required=False, help_text=_("Empty: today."))
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)


class SlateForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=max_length_of(Slate, "name"), required=False, help_text=_("Empty: “Next term”."))
    planned_start = forms.DateField(label=_("planned start"), widget=DateInput, required=False, help_text=_("Empty: the planned end of the current term."))
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
    max_posts = forms.IntegerField(label=_("posts in social organizations, at most"), min_value=0, max_value=20, initial=1, required=False)
    max_age = forms.IntegerField(label=_("age, at most"), min_value=18, max_value=120, initial=70, required=False)
    max_terms = forms.IntegerField(label=_("terms in the same post, at most"), min_value=1, max_value=20, initial=2, required=False)
    org = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class AlertsForm(forms.Form):
    org = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    within = forms.IntegerField(label=_("due within (days)"), min_value=1, max_value=730, initial=90, required=False)


SORT_KEYS = ("org", "body", "term", "planned_end", "seats", "failures", "targets")


class ComplianceFilterForm(forms.Form):
    ruleset = forms.ChoiceField(label=_("rule set"), choices=ALL, required=False)
    sort = forms.ChoiceField(choices=[(k, k) for key in SORT_KEYS for k in (key, f"-{key}")] + [("", "")], required=False, widget=forms.HiddenInput)
    format = forms.ChoiceField(choices=[("", "html"), ("xlsx", "xlsx")], required=False, widget=forms.HiddenInput)

    def __init__(self, *args, rulesets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ruleset"].choices = ALL + [(name, title_of(name)) for name in rulesets]


class RuleSetForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=max_length_of(RuleSet, "name"))
    jurisdiction = forms.CharField(label=_("jurisdiction"), max_length=max_length_of(RuleSet, "jurisdiction"))
    source = forms.CharField(
        label=_("source"),
        max_length=max_length_of(RuleSet, "source"),
        help_text=_("Where the rules are written, in words: the policy text and its section, e.g. 《江苏省科协系统深化改革实施方案》二.1."),
    )
    document = forms.CharField(
        label=_("policy text"),
        max_length=max_length_of(RuleSet, "document"),
        required=False,
        help_text=_("The policy text the rules come from, in words (shown on pages)."),
    )
    description = forms.CharField(label=_("description"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, shipped: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if shipped:
            # A shipped set keeps the name it is known by (the API's ?ruleset=, the loader); pages show its title.
            self.fields["name"].widget = forms.HiddenInput()


class RuleForm(forms.Form):
    body_kinds = forms.MultipleChoiceField(label=_("applies to"), choices=BodyKind.choices, widget=forms.CheckboxSelectMultiple)
    org_kinds = forms.MultipleChoiceField(
        label=_("held by organizations of the kinds"),
        choices=OrgKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A rule judges a body only where the organization holding it is of one of these kinds."),
    )
    measure = forms.ChoiceField(label=_("measure"), choices=Measure.choices)
    param = forms.IntegerField(
        label=_("parameter (age)"), min_value=0, max_value=150, required=False, help_text=_("Only for “share aged at most N”: the age N.")
    )
    param_local = forms.BooleanField(
        label=_("the age is a local setting, not given by the policy text"),
        required=False,
        help_text=_("E.g. 中青年 (middle-aged and young): the policy texts give no age; the page says so beside the rule."),
    )
    comparison = forms.ChoiceField(
        label=_("comparison"),
        choices=Comparison.choices,
        help_text=_("以上 and 不少于 are “at least”, 以下 and 不超过 “at most”: both include the number. 主要 (mainly) is “more than” 1/2."),
    )
    threshold = forms.CharField(
        label=_("threshold"),
        max_length=16,
        help_text=_("A share as a fraction (2/3) or a percentage (75%); a count, an age or days as a number. Compared exactly."),
    )
    baseline = forms.CharField(
        label=_("baseline (for a target)"),
        max_length=16,
        required=False,
        help_text=_("Where a target starts from (e.g. 58%): the page shows the progress from it to the target."),
    )
    against_previous = forms.BooleanField(
        label=_("compared with the previous term"),
        required=False,
        help_text=_("For a share that must rise: this term's share against the previous term's of the same body."),
    )
    is_target = forms.BooleanField(label=_("a target (左右), not a hard rule"), required=False)
    note = forms.CharField(label=_("note"), max_length=max_length_of(Rule, "note"), required=False)
    sort = forms.IntegerField(label=_("order"), min_value=0, max_value=150, required=False, initial=0)

    def clean_threshold(self) -> str:
        return self.cleaned_data["threshold"].strip().replace("％", "%")

    def clean_baseline(self) -> str:
        return self.cleaned_data["baseline"].strip().replace("％", "%")


class ApprovalForm(forms.Form):
    approved_on = forms.DateField(label=_("approved on"), widget=DateInput)
    approved_by = forms.CharField(
        label=_("approved by"), max_length=max_length_of(Seat, "approved_by"), help_text=_("The body that approved the post (经批准).")
    )


class DeclaredPostForm(forms.Form):
    organization_name = forms.CharField(label=_("social organization"), max_length=max_length_of(DeclaredPost, "organization_name"))
    post = forms.CharField(label=pgettext_lazy("office held", "post"), max_length=max_length_of(DeclaredPost, "post"))
    start = forms.DateField(label=_("since"), widget=DateInput, required=False)
    approved_on = forms.DateField(label=_("approved on"), widget=DateInput, required=False)
    approved_by = forms.CharField(
        label=_("approved by"),
        max_length=max_length_of(DeclaredPost, "approved_by"),
        required=False,
        help_text=_("Empty when not approved: the post is then flagged."),
    )


class EndPostForm(forms.Form):
    end = forms.DateField(label=_("until"), widget=DateInput, required=False, help_text=_("Empty: today."))


class AssignRuleSetForm(forms.Form):
    organization = _org_code_field(_("organization"))
    include_subtree = forms.BooleanField(label=_("also the organizations below"), required=False, initial=True)

    def clean_organization(self) -> str:
        return self.cleaned_data["organization"].strip()
