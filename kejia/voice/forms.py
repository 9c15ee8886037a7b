"""Parsing of the voice pages. Forms turn text into values; who may act and in which state is the
services' job, whose refusals come back next to the field."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kejia.core.rows import max_length_of
from kejia.organizations.forms import DateInput
from kejia.voice.choices import DayKind, ItemKind, ItemStatus
from kejia.voice.models import CalendarDay, DeadlineRule
from kejia.voice.services import ANSWER_MAX, BODY_MAX, TITLE_MAX

RATINGS = [(str(n), "★" * n) for n in range(5, 0, -1)]


class SendForm(forms.Form):
    organization = forms.CharField(label=_("to the organization (code)"), max_length=32, help_text=_("Choose one of yours below, or find one by name."))
    kind = forms.ChoiceField(label=_("kind"), choices=ItemKind.choices, initial=ItemKind.SUGGESTION)
    title = forms.CharField(label=pgettext_lazy("heading", "title"), max_length=TITLE_MAX)
    body = forms.CharField(label=_("text"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 6}))
    allow_public = forms.BooleanField(label=_("the question may be published with a public answer (without my name or contact data)"), required=False)


class OrgSearchForm(forms.Form):
    q = forms.CharField(label=_("find an organization by name"), max_length=64, required=False)


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(label=_("assign to"), coerce=int, choices=())
    note = forms.CharField(label=_("internal note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [(u.pk, f"{u} ({u.username})") for u in people]


class ForwardForm(forms.Form):
    to = forms.CharField(label=_("forward to (organization code)"), max_length=32, help_text=_("The parent organization or one below this one."))
    note = forms.CharField(label=_("note to the receiving organization"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("answer"), max_length=ANSWER_MAX, widget=forms.Textarea(attrs={"rows": 6}))
    public = forms.BooleanField(label=_("publish in public under my real name and title"), required=False)


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("your rating"), coerce=int, choices=RATINGS, widget=forms.RadioSelect)


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("why the answer does not settle it"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class PublicityForm(forms.Form):
    allow_public = forms.BooleanField(label=_("the question may be published with a public answer"), required=False)


class InboxFilterForm(forms.Form):
    STATUS = [("open", _("Waiting for an answer")), *ItemStatus.choices, ("all", _("All"))]
    status = forms.ChoiceField(label=_("status"), choices=STATUS, required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=[("", _("All kinds")), *ItemKind.choices], required=False)
    overdue = forms.BooleanField(label=_("overdue only"), required=False)
    mine = forms.BooleanField(label=_("assigned to me"), required=False)
    q = forms.CharField(label=_("text"), max_length=64, required=False)


class RuleForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=ItemKind.choices)
    organization = forms.CharField(label=_("organization code (empty: the default)"), max_length=32, required=False)
    working_days = forms.IntegerField(
        label=_("working days"), min_value=1, max_value=365, required=False, help_text=_("Empty: remove the organization's own rule.")
    )
    source = forms.CharField(label=_("source"), max_length=max_length_of(DeadlineRule, "source"), required=False)


class CalendarForm(forms.Form):
    date = forms.DateField(label=_("date"), widget=DateInput)
    kind = forms.ChoiceField(label=_("kind"), choices=[("", _("An ordinary day (remove the exception)")), *DayKind.choices], required=False)
    name = forms.CharField(label=_("name"), max_length=max_length_of(CalendarDay, "name"), required=False, help_text=_("e.g. 国庆节"))
