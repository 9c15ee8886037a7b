"""Parsing of the volunteering pages. Forms turn text into values; who may act, membership on the
date, plausible hours and every other rule are the services' job, whose errors come back next to
the field (or the row of hours) at fault."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kejia.core.rows import max_length_of
from kejia.organizations.forms import ALL, DateInput
from kejia.organizations.models import Organization
from kejia.volunteering.choices import DemandStatus, TeamRole
from kejia.volunteering.models import ServiceDemand, ServiceRecord

TEXT_MAX = 5000


class TeamForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=max_length_of(Organization, "name"))
    code = forms.CharField(label=_("code"), max_length=max_length_of(Organization, "code"), help_text=_("Short unique code, e.g. XW-ZYD-01."))
    founded_on = forms.DateField(label=_("founded on"), widget=DateInput, required=False)
    description = forms.CharField(label=_("introduction"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MemberForm(forms.Form):
    person = forms.IntegerField(
        label=_("person (profile number)"),
        min_value=1,
        max_value=2**31 - 1,
        help_text=_("The number in the address of the person's profile page in the talent database."),
    )
    role = forms.ChoiceField(label=_("role"), choices=TeamRole.choices, initial=TeamRole.MEMBER)
    joined_on = forms.DateField(label=_("joined on"), widget=DateInput, required=False, help_text=_("Empty: today."))


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("role"), choices=TeamRole.choices)


class LeaveForm(forms.Form):
    left_on = forms.DateField(label=_("left on"), widget=DateInput, required=False, help_text=_("Empty: today."))


class DemandForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("heading", "title"), max_length=max_length_of(ServiceDemand, "title"))
    requester = forms.CharField(
        label=_("for (school, community, village)"),
        max_length=max_length_of(ServiceDemand, "requester"),
        required=False,
        help_text=_("Empty: the posting organization itself."),
    )
    description = forms.CharField(label=_("what is needed"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    region = forms.CharField(label=_("region (division code)"), max_length=9, required=False, help_text=_("Empty: the organization's region."))
    address = forms.CharField(label=_("address"), max_length=max_length_of(ServiceDemand, "address"))
    wanted_from = forms.DateField(label=_("wanted from"), widget=DateInput)
    wanted_until = forms.DateField(label=_("wanted until"), widget=DateInput, required=False)
    people_needed = forms.IntegerField(label=_("volunteers needed"), min_value=1, max_value=500, initial=2)


class TakeForm(forms.Form):
    team = forms.TypedChoiceField(label=_("team"), coerce=int, choices=())

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(t.pk, t.name) for t in teams]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=255, required=False)


class RequiredReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=255)


class DemandFilterForm(forms.Form):
    q = forms.CharField(label=_("search"), max_length=64, required=False)
    status = forms.ChoiceField(label=_("status"), choices=ALL + list(DemandStatus.choices), required=False)


class PeriodForm(forms.Form):
    since = forms.DateField(label=_("from"), widget=DateInput, required=False)
    until = forms.DateField(label=_("to"), widget=DateInput, required=False)

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", _("The end comes on or after the start."))
        return data


class ServiceForm(forms.Form):
    """A service and the hours of each member who took part (an empty box: not there). The
    members are the team's, one box each, so the form fits a phone."""

    date = forms.DateField(label=_("date"), widget=DateInput)
    address = forms.CharField(label=_("place"), max_length=max_length_of(ServiceRecord, "address"))
    people_served = forms.IntegerField(label=_("people served"), min_value=0, max_value=1_000_000, initial=0)
    demand = forms.TypedChoiceField(label=_("answers the demand"), coerce=int, required=False, empty_value=None, choices=())
    note = forms.CharField(label=_("what was done"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, members=(), demands=(), with_reason: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["demand"].choices = [("", "—")] + [(d.pk, d.title) for d in demands]
        self.hour_fields = []
        for m in members:
            name = f"h_{m.person_id}"
            self.fields[name] = forms.CharField(
                label=m.person.name, max_length=8, required=False, widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": _("hours")})
            )
            self.hour_fields.append((m.person_id, name))
        if with_reason:
            self.fields["reason"] = forms.CharField(label=_("reason for the correction"), max_length=255)

    def participants(self) -> list[tuple[int, str]]:
        return [(pid, self.cleaned_data[name].strip()) for pid, name in self.hour_fields if self.cleaned_data.get(name, "").strip()]
