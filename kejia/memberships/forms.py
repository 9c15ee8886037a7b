"""Parsing of the membership pages. Forms turn text into values (numbers, dates, a class of the
right society, files named by the document they stand for); eligibility, required documents,
dues years and every other rule are the services' job, whose errors come back next to the field."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kejia.core.rows import max_length_of
from kejia.memberships.choices import ClassKind, MembershipStatus, PaymentMethod
from kejia.memberships.models import DuesPayment, GroupRepresentative, MemberClass, Membership, MembershipRules
from kejia.organizations.forms import ALL, DateInput
from kejia.people.choices import TitleLevel

FILE_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class ClassChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.annual_dues} ¥)" if obj.has_dues else obj.name


def _add_document_fields(form: forms.Form, names: list[str]) -> None:
    """One optional file input per required document; the service says which are missing."""
    form.document_names = list(names)
    for i, name in enumerate(form.document_names):
        form.fields[f"doc_{i}"] = forms.FileField(label=name, required=False, widget=forms.ClearableFileInput(attrs={"accept": FILE_ACCEPT}))


def _document_bound_fields(form: forms.Form) -> list:
    return [form[f"doc_{i}"] for i in range(len(form.document_names))] + [form["other"]]


def _documents(form: forms.Form) -> list[tuple[str, object]]:
    docs = [(name, form.cleaned_data.get(f"doc_{i}")) for i, name in enumerate(form.document_names)]
    if form.cleaned_data.get("other"):
        docs.append(("", form.cleaned_data["other"]))
    return [(name, upload) for name, upload in docs if upload]


class SocietySearchForm(forms.Form):
    q = forms.CharField(label=_("society name"), max_length=64, required=False)


class ApplyForm(forms.Form):
    """A person's application: the class, a statement, the facts eligibility needs, the files."""

    member_class = ClassChoiceField(label=_("member class"), queryset=None, empty_label=None)
    statement = forms.CharField(
        label=_("statement"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text=_("Why you apply; your work in the field.")
    )
    is_student = forms.BooleanField(label=_("I am a student"), required=False)
    years_in_field = forms.IntegerField(label=_("years in the field"), min_value=0, max_value=80, required=False)
    other = forms.FileField(label=_("other document (optional)"), required=False, widget=forms.ClearableFileInput(attrs={"accept": FILE_ACCEPT}))

    def __init__(self, *args, classes, chosen=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member_class"].queryset = classes
        if chosen is not None:
            self.fields["member_class"].initial = chosen.pk
        _add_document_fields(self, chosen.required_documents if chosen is not None else [])

    def documents(self) -> list[tuple[str, object]]:
        return _documents(self)

    def detail_fields(self) -> list:
        return [self["statement"], self["is_student"], self["years_in_field"]]

    def document_fields(self) -> list:
        return _document_bound_fields(self)


class GroupApplyForm(forms.Form):
    member_class = ClassChoiceField(label=_("member class"), queryset=None, empty_label=None)
    uscc = forms.CharField(
        label=_("unit's unified social credit code"),
        max_length=18,
        min_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("The unit must be registered on the platform; you become its contact person."),
    )
    statement = forms.CharField(label=_("statement"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member_class"].queryset = classes

    def clean_uscc(self) -> str:
        return self.cleaned_data["uscc"].strip().upper()


class SupplyForm(forms.Form):
    statement = forms.CharField(label=_("your answer"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    other = forms.FileField(label=_("other document (optional)"), required=False, widget=forms.ClearableFileInput(attrs={"accept": FILE_ACCEPT}))

    def __init__(self, *args, names: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        _add_document_fields(self, names)

    def documents(self) -> list[tuple[str, object]]:
        return _documents(self)

    def document_fields(self) -> list:
        return _document_bound_fields(self)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("note"), max_length=500, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}), help_text=_("The person reads it."))


class ResignForm(forms.Form):
    reason = forms.CharField(label=_("reason (optional)"), max_length=max_length_of(Membership, "reason"), required=False)


class TransferForm(forms.Form):
    member_class = ClassChoiceField(label=_("new class"), queryset=None, empty_label=None)
    note = forms.CharField(label=_("note"), max_length=500, required=False)

    def __init__(self, *args, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member_class"].queryset = classes


class RecordPaymentForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=1900, max_value=2200)
    amount = forms.DecimalField(label=_("amount (yuan)"), max_digits=10, decimal_places=2, min_value=0)
    paid_on = forms.DateField(label=_("paid on"), widget=DateInput)
    method = forms.ChoiceField(label=_("method"), choices=PaymentMethod.choices, initial=PaymentMethod.BANK_TRANSFER)
    receipt_no = forms.CharField(label=_("receipt number"), max_length=max_length_of(DuesPayment, "receipt_no"), required=False)
    reference = forms.CharField(label=_("transaction reference"), max_length=max_length_of(DuesPayment, "reference"), required=False)


class ReportPaymentForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=1900, max_value=2200)
    paid_on = forms.DateField(label=_("paid on"), widget=DateInput)
    method = forms.ChoiceField(label=_("method"), choices=PaymentMethod.choices, initial=PaymentMethod.BANK_TRANSFER)
    reference = forms.CharField(
        label=_("transfer reference"), max_length=max_length_of(DuesPayment, "reference"), help_text=_("As printed on your bank's or app's confirmation.")
    )


class ConfirmPaymentForm(forms.Form):
    receipt_no = forms.CharField(label=_("receipt number"), max_length=max_length_of(DuesPayment, "receipt_no"), required=False)


class RepresentativeForm(forms.Form):
    person = forms.IntegerField(label=_("person (profile number)"), min_value=1, help_text=_("The number in the address of the person's profile page."))
    role = forms.CharField(label=_("role"), max_length=max_length_of(GroupRepresentative, "role"), required=False)


class MemberFilterForm(forms.Form):
    text = forms.CharField(label=_("name or member number"), max_length=64, required=False)
    status = forms.ChoiceField(label=_("status"), choices=ALL + MembershipStatus.choices, required=False)
    member_class = forms.ChoiceField(label=_("class"), choices=ALL, required=False)
    kind = forms.ChoiceField(label=_("member"), choices=[*ALL, ("individual", _("Persons")), ("group", _("Units"))], required=False)

    def __init__(self, *args, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member_class"].choices = ALL + [(c.code, c.name) for c in classes]


class QueueFilterForm(forms.Form):
    society = forms.ModelChoiceField(label=_("society"), queryset=None, required=False, empty_label=_("All"))

    def __init__(self, *args, societies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["society"].queryset = societies


class LinesField(forms.CharField):
    """A list edited as a textarea, one item per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, (list, tuple)) else value

    def to_python(self, value) -> list[str]:
        return [line.strip() for line in (super().to_python(value) or "").splitlines() if line.strip()]


class MemberClassForm(forms.Form):
    code = forms.SlugField(label=_("code"), max_length=max_length_of(MemberClass, "code"))
    name = forms.CharField(label=_("name"), max_length=max_length_of(MemberClass, "name"))
    kind = forms.ChoiceField(label=_("kind"), choices=ClassKind.choices)
    annual_dues = forms.DecimalField(label=_("dues per year (yuan)"), max_digits=10, decimal_places=2, min_value=0, initial=0)
    min_title_level = forms.ChoiceField(label=_("lowest professional title level"), choices=[("", "—"), *TitleLevel.choices], required=False)
    min_years_in_field = forms.IntegerField(label=_("years in the field, at least"), min_value=0, max_value=80, required=False)
    requires_student = forms.BooleanField(label=_("for students only"), required=False)
    eligibility_note = forms.CharField(label=_("eligibility, in words"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    required_documents = LinesField(
        label=_("documents required"), max_length=2000, required=False, help_text=_("One document per line, e.g. Professional title certificate.")
    )
    approval_steps = LinesField(label=_("approval steps"), max_length=2000, help_text=_("One step per line, in order; the last step admits the member."))
    rights = forms.CharField(label=_("rights"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    duties = forms.CharField(label=_("duties"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    is_open = forms.BooleanField(label=_("open for applications"), required=False, initial=True)
    sort = forms.IntegerField(label=_("order"), min_value=0, max_value=80, required=False, initial=0)


class GrowthBandsField(forms.CharField):
    """Growth targets as lines "members at least,target %", e.g. "1000,8"."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(",".join(str(v) for v in row) for row in value)
        return value

    def to_python(self, value) -> list[list[int]]:
        rows = []
        for n, line in enumerate((super().to_python(value) or "").splitlines(), start=1):
            line = line.strip().replace("，", ",").replace("%", "")
            if not line:
                continue
            parts = [p.strip() for p in line.split(",")]
            try:
                if len(parts) != 2:
                    raise ValueError
                rows.append([int(parts[0]), int(parts[1])])
            except ValueError:
                raise ValidationError(_("Line %(n)s: write “members at least,target %%”, e.g. 1000,8."), params={"n": n}) from None
        return rows


class RulesForm(forms.Form):
    number_format = forms.CharField(
        label=_("member number format"),
        max_length=max_length_of(MembershipRules, "number_format"),
        help_text=_("Tokens: {code} society code, {year} year of approval, {class} class code, {seq} or {seq:05} sequence number."),
    )
    next_seq = forms.IntegerField(label=_("next sequence number"), min_value=1, max_value=10**9)
    grace_days = forms.IntegerField(label=_("grace period after dues expire (days)"), min_value=0, max_value=3650)
    reminder_days = forms.IntegerField(label=_("renewal reminder before expiry (days)"), min_value=0, max_value=3650)
    growth_bands = GrowthBandsField(
        label=_("new-member targets by size"),
        max_length=2000,
        help_text=_(
            "New members of the year as a % of the members on 1 January. One line per band: members "
            "at the start of the year, target %; e.g. 0,10 then 1000,8. The bands are a local setting: "
            "the provincial plan gives only 3 %–10 % or more, by size."
        ),
    )
    staff_bands = GrowthBandsField(
        label=_("full-time staff targets by size"),
        max_length=2000,
        required=False,
        help_text=_(
            "Comprehensive demonstration societies only: full-time staff as a % of active members. "
            "One line per band: active members at least, target %; e.g. 0,5 then 2000,2. A local "
            "setting: the provincial plan gives only 1 %–5 % or more, by size."
        ),
    )

    def clean(self):
        data = super().clean()
        if not data.get("staff_bands"):
            data.pop("staff_bands", None)  # left empty: unchanged
        return data


def today_initial(**extra) -> dict:
    return {"paid_on": timezone.localdate(), **extra}
