"""Parsing of the activities pages: text into values (times, numbers, a division, an organization
by code, people by profile number). Every rule across fields (times in order, a place or a link,
capacity not below the seats taken) is the services' job; their errors come back next to the field."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kejia.activities.choices import Audience, EventKind, EventStatus
from kejia.activities.models import AttendanceCertificate, Event, Registration
from kejia.core.rows import max_length_of
from kejia.organizations.forms import ALL
from kejia.reference.forms import RegionCodeField


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _when(label, required=True, help_text=""):
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=DateTimeInput,
        help_text=help_text,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"],
    )


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=EventKind.choices)
    title = forms.CharField(label=pgettext_lazy("heading", "title"), max_length=max_length_of(Event, "title"))
    description = forms.CharField(label=_("description"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 5}))
    starts_at = _when(_("starts"))
    ends_at = _when(_("ends"))
    region = RegionCodeField(label=_("division"), required=False)
    address = forms.CharField(label=_("address"), max_length=max_length_of(Event, "address"), required=False)
    online_url = forms.CharField(
        label=_("online link"),
        max_length=max_length_of(Event, "online_url"),
        required=False,
        help_text=_("For an online or hybrid event: the meeting address."),
    )
    capacity = forms.IntegerField(label=_("capacity"), min_value=1, max_value=1_000_000, required=False, help_text=_("Empty: no limit."))
    registration_opens = _when(_("registration opens"), required=False, help_text=_("Empty: when the event is published."))
    registration_closes = _when(_("registration closes"), required=False, help_text=_("Empty: when the event starts."))
    audience = forms.ChoiceField(label=_("audience"), choices=Audience.choices, initial=Audience.PUBLIC)
    audience_organization = forms.CharField(
        label=_("members of (organization code)"),
        max_length=32,
        required=False,
        help_text=_("For a members-only event: the code of the society or association."),
    )
    fee = forms.DecimalField(label=_("fee (yuan)"), min_value=0, max_digits=10, decimal_places=2, initial=0, required=False)
    disciplines = forms.CharField(
        label=_("disciplines (codes)"), max_length=500, required=False, help_text=_("GB/T 13745 codes separated by spaces, e.g. 520 413.")
    )

    def clean_disciplines(self):
        return [c for c in self.cleaned_data["disciplines"].replace(",", " ").split() if c]


class CancelEventForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"),
        max_length=max_length_of(Event, "cancel_reason"),
        required=False,
        help_text=_("Required for a published event: the people registered will read it."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=max_length_of(Registration, "cancel_reason"), required=False)


class RequiredReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=max_length_of(AttendanceCertificate, "revoke_reason"))


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("scanned code"),
        max_length=2000,
        required=False,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off", "inputmode": "url"}),
        help_text=_("Scan the attendee's QR code with the phone (its address lands here), or type the code."),
    )
    registration = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if not data.get("code") and not data.get("registration"):
            raise forms.ValidationError(_("Scan the QR code or type the code."))
        return data


class InviteForm(forms.Form):
    people = forms.CharField(
        label=_("people (profile numbers)"), max_length=5000, help_text=_("Numbers from the talent database, separated by spaces or commas.")
    )

    def clean_people(self):
        parts = self.cleaned_data["people"].replace(",", " ").replace("，", " ").split()
        # ASCII digits only: "²".isdigit() is true but int() refuses it; a profile number fits in 31 bits.
        if not parts or not all(p.isascii() and p.isdigit() and len(p) <= 10 and int(p) < 2**31 for p in parts):
            raise forms.ValidationError(_("Enter profile numbers separated by spaces."))
        return sorted({int(p) for p in parts})


class RegisterPersonForm(forms.Form):
    person = forms.IntegerField(
        label=_("person (profile number)"),
        min_value=1,
        max_value=2**31 - 1,
        help_text=_("Register someone of the talent database (a registration by phone or on paper)."),
    )


class EventFilterForm(forms.Form):
    q = forms.CharField(label=_("search"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=ALL + EventKind.choices, required=False)
    status = forms.ChoiceField(label=_("status"), choices=ALL + EventStatus.choices, required=False)
    org = forms.CharField(label=_("organization code"), max_length=32, required=False)
    when = forms.ChoiceField(label=_("when"), choices=[("upcoming", _("Upcoming")), ("past", _("Past")), ("all", _("All"))], required=False, initial="upcoming")


class PublicFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=ALL + EventKind.choices, required=False)
    region = RegionCodeField(label=_("division"), required=False)
