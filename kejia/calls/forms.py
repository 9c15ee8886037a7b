"""Parsing of the staff pages of calls: text into values (amounts, dates, a deadline in Beijing
time, an organization the user manages). Every rule — states, roles, ranges, budgets, gates,
reasons — is the services' and the workflow's; their refusals come back next to the field."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kejia.calls.choices import ApplicationStatus
from kejia.calls.models import Deliverable
from kejia.calls.services import SHANGHAI
from kejia.organizations.forms import ALL, DateInput

MONEY = {"min_value": 0, "max_digits": 14, "decimal_places": 2}


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class BeijingDateTimeField(forms.DateTimeField):
    """A time entered in Beijing time, whatever the server's zone (the notice states it so)."""

    widget = DateTimeInput

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"])
        kwargs.setdefault("help_text", _("Beijing time."))
        super().__init__(**kwargs)

    def to_python(self, value):
        result = super().to_python(value)
        if result is None:
            return None
        return timezone.make_naive(result).replace(tzinfo=SHANGHAI) if timezone.is_aware(result) else result.replace(tzinfo=SHANGHAI)


def beijing(value: datetime.datetime | None) -> datetime.datetime | None:
    """A stored time as the naive Beijing time the field shows."""
    return timezone.localtime(value, SHANGHAI).replace(tzinfo=None) if value else None


class CallTermsForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("heading", "title"), max_length=200)
    reference = forms.CharField(label=_("document number"), max_length=64, required=False)
    deadline = BeijingDateTimeField(label=_("deadline"))
    min_amount = forms.DecimalField(label=_("lowest amount per project (yuan)"), **MONEY)
    max_amount = forms.DecimalField(label=_("highest amount per project (yuan)"), **MONEY)
    budget = forms.DecimalField(label=_("total budget (yuan)"), required=False, help_text=_("Empty: no budget set."), **MONEY)
    quota_per_recommender = forms.IntegerField(
        label=_("applications each recommending organization may submit"), min_value=1, max_value=1000, required=False, help_text=_("Empty: no quota.")
    )
    announcement_days = forms.IntegerField(label=_("days of public announcement"), min_value=1, max_value=60, initial=5)
    period_months = forms.IntegerField(label=_("project period (months)"), min_value=1, max_value=120, initial=12)

    @classmethod
    def initial_of(cls, call) -> dict:
        return {
            "title": call.title,
            "reference": call.reference,
            "deadline": beijing(call.deadline),
            "min_amount": call.min_amount,
            "max_amount": call.max_amount,
            "budget": call.budget,
            "quota_per_recommender": call.quota_per_recommender,
            "announcement_days": call.announcement_days,
            "period_months": call.period_months,
        }


class CreateCallForm(CallTermsForm):
    """A new call from a shipped template: its form, topics, payment plan and documents come with it."""

    owner = forms.TypedChoiceField(label=_("organization running the call"), coerce=int)
    template = forms.ChoiceField(label=_("template"))
    field_order = ["owner", "template"]

    def __init__(self, *args, owners, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.owners = {o.pk: o for o in owners}
        self.fields["owner"].choices = [(o.pk, o.name) for o in owners]
        self.fields["template"].choices = templates
        for name in ("title", "min_amount", "max_amount"):
            self.fields[name].required = False
            self.fields[name].help_text = _("Empty: as the template says.")

    def clean_owner(self):
        return self.owners[self.cleaned_data["owner"]]


class ExtendDeadlineForm(forms.Form):
    deadline = BeijingDateTimeField(label=_("new deadline"))
    reason = forms.CharField(label=_("reason"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class QueueFilterForm(forms.Form):
    # the owner sees an application once submitted: drafts are not a state of its queue
    status = forms.ChoiceField(label=_("status"), choices=ALL + [c for c in ApplicationStatus.choices if c[0] != ApplicationStatus.DRAFT], required=False)


class EmptyForm(forms.Form):
    pass


class ReasonForm(forms.Form):
    # Required or not is the transition's rule (kejia.calls.choices); the workflow says so by field.
    reason = forms.CharField(label=_("reason"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class OpinionForm(forms.Form):
    """The recommending organization's opinion, kept as the step's reason (optional)."""

    reason = forms.CharField(label=_("opinion"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ObjectionForm(forms.Form):
    text = forms.CharField(label=_("objection"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class HandleObjectionForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("decision"),
        choices=[("no", _("Not upheld: the selection stands")), ("yes", _("Upheld: the application is taken out of the selection"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    resolution = forms.CharField(label=_("handling"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ApproveForm(forms.Form):
    amount = forms.DecimalField(label=_("approved amount (yuan)"), **MONEY)
    starts_on = forms.DateField(label=_("starts on"), widget=DateInput)


class PaymentForm(forms.Form):
    tranche = forms.TypedChoiceField(label=_("tranche"), coerce=int)
    amount = forms.DecimalField(label=_("amount (yuan)"), **MONEY)
    paid_on = forms.DateField(label=pgettext_lazy("ledger", "paid on"), widget=DateInput)
    voucher = forms.CharField(label=_("voucher number"), max_length=64, required=False)

    def __init__(self, *args, tranches: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tranche"].choices = [(i, str(i)) for i in range(1, tranches + 1)]


class DeliverableForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("heading", "title"), max_length=200, required=False)
    note = forms.CharField(label=_("note"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    # checked by its content by the service (kejia.calls.files); optional
    file = forms.FileField(label=_("file (PDF, Word, Excel, JPG or PNG)"), required=False)


class PublishDeliverableForm(forms.Form):
    """Publish one deliverable of the project to the case library, or withdraw it."""

    deliverable = forms.ModelChoiceField(label=_("deliverable"), queryset=None)
    public = forms.BooleanField(label=_("in the public case library"), required=False)

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deliverable"].queryset = project.deliverables.all() if project is not None else Deliverable.objects.none()


class CallAttachmentForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("heading", "title"), max_length=200, required=False)
    file = forms.FileField(label=_("file (PDF, Word, Excel, JPG or PNG)"))


class OpenReviewForm(forms.Form):
    """The expert review of the applications under review: reviewers per application, the most
    applications per reviewer, blind or not, the deadline for the score sheets."""

    per_item = forms.IntegerField(label=_("reviewers per application"), min_value=1, max_value=20, initial=3)
    max_load = forms.IntegerField(label=_("most applications per reviewer"), min_value=1, max_value=500, initial=6)
    blind = forms.BooleanField(label=_("blind review (reviewers do not see the applicant)"), required=False)
    score_deadline = BeijingDateTimeField(label=_("deadline for the score sheets"), required=False)


class CloseReviewForm(forms.Form):
    minutes = forms.CharField(label=_("minutes of the review meeting"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 6}))


class MeetingForm(forms.Form):
    """The review meeting: its minutes and, for each application under review, the rank the
    meeting confirms and the score it stands on (0–100)."""

    minutes = forms.CharField(label=_("minutes of the review meeting"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, applications, **kwargs):
        super().__init__(*args, **kwargs)
        self.applications = list(applications)
        for index, app in enumerate(self.applications, start=1):
            self.fields[f"rank_{app.pk}"] = forms.IntegerField(label=_("rank"), min_value=1, max_value=len(self.applications), initial=app.rank or index)
            self.fields[f"score_{app.pk}"] = forms.DecimalField(
                label=_("score"), min_value=0, max_value=100, max_digits=5, decimal_places=2, initial=app.score, required=False
            )

    def rows(self) -> list[tuple]:
        return [(app, self[f"rank_{app.pk}"], self[f"score_{app.pk}"]) for app in self.applications]

    def clean(self):
        data = super().clean()
        ranks = [data.get(f"rank_{app.pk}") for app in self.applications]
        if None not in ranks and len(set(ranks)) != len(ranks):
            raise forms.ValidationError(_("Give each application a different rank."))
        return data

    def ranking(self) -> list[tuple[int, float]]:
        """(application id, score) in rank order."""
        data = self.cleaned_data
        rows = sorted(self.applications, key=lambda a: data[f"rank_{a.pk}"])
        return [(a.pk, float(data.get(f"score_{a.pk}") or 0)) for a in rows]
