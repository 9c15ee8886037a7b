"""Parsing of the organization pages' input. Forms only turn text into values (dates, numbers,
choices, a Region for a division code); every rule across objects is the services' job."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kejia.accounts.models import RoleKind
from kejia.core import audit_labels
from kejia.core.rows import max_length_of
from kejia.organizations.kinds import FILABLE_KINDS, OrgKind, OrgStatus, PartyCoverage, SocietyClass
from kejia.organizations.models import Filing, Organization
from kejia.reference.forms import RegionCodeField
from kejia.reference.models import Discipline

ALL = [("", _("All"))]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class OrganizationForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=max_length_of(Organization, "name"))
    short_name = forms.CharField(label=_("short name"), max_length=max_length_of(Organization, "short_name"), required=False)
    code = forms.CharField(label=_("code"), max_length=max_length_of(Organization, "code"), help_text=_("Short unique code, e.g. JS-KX-320102"))
    kind = forms.ChoiceField(label=_("kind"), choices=OrgKind.choices)
    region = RegionCodeField(required=False)
    founded_on = forms.DateField(label=_("founded on"), required=False, widget=DateInput)
    term_start = forms.DateField(label=_("current term start"), required=False, widget=DateInput)
    term_end = forms.DateField(label=_("current term end"), required=False, widget=DateInput)
    fulltime_staff = forms.IntegerField(label=_("full-time staff"), required=False, min_value=0, max_value=1_000_000)
    party_coverage = forms.ChoiceField(label=_("party organization"), choices=PartyCoverage.choices, initial=PartyCoverage.NONE)
    society_class = forms.ChoiceField(
        label=_("society class"),
        choices=SocietyClass.choices,
        initial=SocietyClass.ORDINARY,
        required=False,
        help_text=_("For learned societies: the class given by evaluation."),
    )
    is_independent_unit = forms.NullBooleanField(
        label=_("independent unit (own establishment)"),
        required=False,
        widget=forms.NullBooleanSelect,
        help_text=_("Provincial, municipal and county associations only."),
    )
    has_party_group = forms.NullBooleanField(
        label=_("leading party group"), required=False, widget=forms.NullBooleanSelect, help_text=_("Provincial, municipal and county associations only.")
    )
    leader_in_charge = forms.CharField(
        label=_("Party committee leader in charge"),
        max_length=max_length_of(Organization, "leader_in_charge"),
        required=False,
        help_text=_("Name and post, e.g. the deputy county Party secretary."),
    )
    leader_in_contact = forms.CharField(
        label=_("government leader in contact"),
        max_length=max_length_of(Organization, "leader_in_contact"),
        required=False,
        help_text=_("Name and post, e.g. the deputy county head."),
    )
    is_legal_person = forms.BooleanField(label=_("legal person"), required=False)
    # Longer than the 18 characters of the code: people paste it with spaces; the service normalizes.
    uscc = forms.CharField(label=_("unified social credit code"), max_length=40, required=False)
    address = forms.CharField(label=_("address"), max_length=max_length_of(Organization, "address"), required=False)
    website = forms.URLField(label=_("website"), max_length=max_length_of(Organization, "website"), required=False, assume_scheme="https")
    description = forms.CharField(label=_("introduction"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4}))
    disciplines = forms.CharField(
        label=_("disciplines"), max_length=400, required=False, help_text=_("Discipline codes (GB/T 13745) separated by spaces, e.g. 520 413")
    )

    def clean_fulltime_staff(self):
        return self.cleaned_data["fulltime_staff"] or 0

    def clean_society_class(self):
        return self.cleaned_data["society_class"] or SocietyClass.ORDINARY

    def clean_disciplines(self):
        codes = [c for c in self.cleaned_data["disciplines"].replace(",", " ").replace("，", " ").split() if c]
        if len(codes) > 20:
            raise ValidationError(_("Name at most 20 disciplines."))
        found = {d.code: d for d in Discipline.objects.filter(code__in=codes)}
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise ValidationError(_("Unknown discipline codes: %(codes)s"), params={"codes": " ".join(unknown)})
        return [found[c] for c in dict.fromkeys(codes)]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("new status"), choices=OrgStatus.choices)
    reason = forms.CharField(label=_("reason"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MoveForm(forms.Form):
    parent = forms.CharField(label=_("new guiding organization (code)"), max_length=32)


class GrantRoleForm(forms.Form):
    username = forms.CharField(label=_("username"), max_length=150)
    kind = forms.ChoiceField(label=_("role"), choices=RoleKind.choices)
    title = forms.CharField(label=pgettext_lazy("post", "title"), max_length=64, required=False)


class RevokeRoleForm(forms.Form):
    revoke = forms.IntegerField(min_value=1)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("name, code or credit code"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=ALL + OrgKind.choices, required=False)
    status = forms.ChoiceField(label=_("status"), choices=ALL + OrgStatus.choices, required=False)
    region = RegionCodeField(required=False, help_text="")
    within = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class CoverageForm(forms.Form):
    region = RegionCodeField(required=False)


class FilingForm(forms.Form):
    name = forms.CharField(label=_("name of the new association"), max_length=max_length_of(Filing, "name"))
    kind = forms.ChoiceField(label=_("kind"), choices=[c for c in OrgKind.choices if c[0] in FILABLE_KINDS])
    parent = forms.CharField(
        label=_("guiding association"),
        max_length=32,
        help_text=_("The code of the territorial association that guides it; pick from the list or type it."),
        widget=forms.TextInput(attrs={"list": "guiding-associations", "autocomplete": "off"}),
    )
    region = RegionCodeField()
    host_name = forms.CharField(label=_("host enterprise or park"), max_length=max_length_of(Filing, "host_name"))
    host_uscc = forms.CharField(label=_("host's unified social credit code"), max_length=40)
    founded_on = forms.DateField(label=_("founding date"), widget=DateInput)
    member_count = forms.IntegerField(label=_("number of S&T workers"), min_value=1, max_value=10_000_000)
    chair_name = forms.CharField(label=_("chair"), max_length=max_length_of(Filing, "chair_name"))
    contact_name = forms.CharField(label=_("contact person"), max_length=max_length_of(Filing, "contact_name"))
    contact_phone = forms.CharField(
        label=_("contact phone"), max_length=32, required=False, widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"})
    )
    charter_summary = forms.CharField(label=_("charter and purpose"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, guiding=None, find_parent=None, keep_phone=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.guiding = guiding if guiding is not None else []
        self._find_parent = find_parent
        if keep_phone:
            self.fields["contact_phone"].help_text = _("Leave empty to keep the number given before.")
        else:
            self.fields["contact_phone"].required = True

    def clean_parent(self):
        code = self.cleaned_data["parent"].strip()
        parent = self._find_parent(code) if self._find_parent else None
        if parent is None:
            raise ValidationError(_("There is no territorial association with the code %(code)s."), params={"code": code})
        return parent


class ApproveForm(forms.Form):
    code = forms.CharField(label=_("code of the new organization"), max_length=32, required=False, help_text=_("Leave empty for an automatic code."))


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("reason for return"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("action"), required=False, choices=audit_labels.action_choices)
    organization = forms.IntegerField(label=_("organization"), required=False, min_value=1, widget=forms.HiddenInput)


class PrefillForm(forms.Form):
    parent = forms.IntegerField(required=False, min_value=1)
