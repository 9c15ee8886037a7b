"""Parsing of the talent-database pages. Forms turn text into values; every rule (identifier
check digits, birth date against the ID number, scope) is the services' job, and their errors
come back next to the field they name."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kejia.core.rows import max_length_of
from kejia.organizations.forms import ALL, DateInput, RegionCodeField
from kejia.people.choices import AchievementKind, Education, Gender, ListingRole, OverseasStatus, ThreeChiefs, TitleLevel
from kejia.people.models import Achievement, Listing, Person
from kejia.reference.choices import Sector
from kejia.reference.models import Discipline
from kejia.reference.selectors import discipline_names, find_discipline

YES_NO = [("", _("All")), ("yes", _("Yes")), ("no", _("No"))]


def split_words(text: str) -> list[str]:
    return [w for w in text.replace("，", " ").replace(",", " ").replace("、", " ").replace("；", " ").replace(";", " ").split() if w]


class PersonForm(forms.Form):
    """A profile, for staff and for the person themselves. The identifiers are asked anew and,
    when left empty on an existing record, kept (the page only ever shows them masked)."""

    name = forms.CharField(label=pgettext_lazy("person", "name"), max_length=max_length_of(Person, "name"))
    gender = forms.ChoiceField(label=_("gender"), choices=Gender.choices, initial=Gender.UNKNOWN, required=False)
    birth_date = forms.DateField(label=_("birth date"), required=False, widget=DateInput)
    resident_id = forms.CharField(
        label=_("resident ID number"), max_length=40, required=False, widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})
    )
    phone = forms.CharField(label=_("phone"), max_length=32, required=False, widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    email = forms.CharField(label=_("e-mail"), max_length=max_length_of(Person, "email"), required=False, widget=forms.EmailInput)
    region = RegionCodeField(required=False)
    employer_name = forms.CharField(label=_("employer"), max_length=max_length_of(Person, "employer_name"), required=False)
    employer_uscc = forms.CharField(label=_("employer's unified social credit code"), max_length=40, required=False)
    sector = forms.ChoiceField(label=_("sector"), choices=Sector.choices, initial=Sector.OTHER)
    is_frontline = forms.BooleanField(label=_("front-line (基层一线)"), required=False)
    title = forms.CharField(label=_("professional title"), max_length=max_length_of(Person, "title"), required=False)
    title_level = forms.ChoiceField(label=_("title level"), choices=TitleLevel.choices, initial=TitleLevel.NONE)
    education = forms.ChoiceField(label=_("education"), choices=[("", "—"), *Education.choices], required=False)
    disciplines = forms.CharField(
        label=_("disciplines"), max_length=400, required=False, help_text=_("Discipline codes (GB/T 13745) separated by spaces, e.g. 520 413")
    )
    expertise = forms.CharField(
        label=_("expertise keywords"), max_length=max_length_of(Person, "expertise"), required=False, help_text=_("Keywords separated by spaces or commas.")
    )
    research_summary = forms.CharField(label=_("research summary"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4}))
    overseas_status = forms.ChoiceField(label=_("overseas / HK-Macao-Taiwan"), choices=OverseasStatus.choices, initial=OverseasStatus.NONE)
    three_chiefs = forms.ChoiceField(label=_("三长 role"), choices=ThreeChiefs.choices, initial=ThreeChiefs.NONE)
    programmes = forms.CharField(
        label=_("programmes"), max_length=400, required=False, help_text=_("Talent programmes, e.g. young-talent sponsorship; separated by commas.")
    )

    def __init__(self, *args, existing=None, with_identity: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if existing is not None:
            for name, masked in (("resident_id", existing.id_masked), ("phone", existing.phone_masked)):
                if name in self.fields:
                    self.fields[name].help_text = _("On file: %(masked)s. Leave empty to keep it.") % {"masked": masked} if masked else _("None on file.")
        if not with_identity:
            del self.fields["resident_id"]

    def clean_gender(self):
        return self.cleaned_data["gender"] or ""

    def clean_disciplines(self):
        words = split_words(self.cleaned_data["disciplines"])
        if len(words) > 20:
            raise ValidationError(_("Name at most 20 disciplines."))
        names = discipline_names() if words else {}
        codes = {word: find_discipline(word, names) for word in words}  # a code or a GB/T 13745 name
        unknown = [word for word, code in codes.items() if code is None]
        if unknown:
            raise ValidationError(_("Unknown discipline codes: %(codes)s"), params={"codes": " ".join(unknown)})
        found = {d.code: d for d in Discipline.objects.filter(code__in=set(codes.values()))}
        return [found[c] for c in dict.fromkeys(codes[w] for w in words)]

    def clean_programmes(self):
        return [p.strip() for p in self.cleaned_data["programmes"].replace("，", ",").split(",") if p.strip()][:20]

    def profile(self) -> tuple[dict, list]:
        """(profile data for the services, disciplines). Empty identifiers are left out: kept."""
        data = dict(self.cleaned_data)
        disciplines = data.pop("disciplines")
        for key in ("resident_id", "phone"):
            if key in data and not data[key].strip():
                data.pop(key)
        if not data.get("gender"):
            data.pop("gender", None)
        return data, disciplines


class NewPersonForm(PersonForm):
    role = forms.ChoiceField(label=_("role in the organization"), choices=ListingRole.choices, initial=ListingRole.MEMBER)
    consent_source = forms.CharField(
        label=_("consent given by"),
        max_length=max_length_of(Person, "consent_source"),
        required=False,
        help_text=_("How the person agreed to the processing of their data (PIPL), e.g. signed form."),
    )
    list_existing = forms.BooleanField(label=_("If this resident ID number is already in the database, list that person instead"), required=False)


class FilterForm(forms.Form):
    q = forms.CharField(label=_("name, pinyin or employer"), max_length=64, required=False)
    sector = forms.ChoiceField(label=_("sector"), choices=ALL + Sector.choices, required=False)
    title_level = forms.ChoiceField(label=_("title level"), choices=ALL + TitleLevel.choices, required=False)
    frontline = forms.ChoiceField(label=_("front-line (基层一线)"), choices=YES_NO, required=False)
    org = forms.CharField(label=_("organization (code)"), max_length=32, required=False, help_text=_("People listed by this organization or those below it."))

    def filters(self) -> dict:
        data = self.cleaned_data
        frontline = {"yes": True, "no": False}.get(data["frontline"])
        return {"text": data["q"], "sector": data["sector"], "title_level": data["title_level"], "frontline": frontline}


class ExportForm(FilterForm):
    unmasked = forms.BooleanField(label=_("unmasked identifiers"), required=False)


class AchievementForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=AchievementKind.choices)
    title = forms.CharField(label=pgettext_lazy("heading", "title"), max_length=max_length_of(Achievement, "title"))
    year = forms.IntegerField(label=_("year"), required=False, min_value=1900, max_value=2100)
    detail = forms.CharField(label=_("detail"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ListingForm(forms.Form):
    org = forms.CharField(label=_("organization (code)"), max_length=32)
    role = forms.ChoiceField(label=_("role"), choices=ListingRole.choices, initial=ListingRole.MEMBER)
    note = forms.CharField(label=_("note"), max_length=max_length_of(Listing, "note"), required=False)


class ConsentForm(forms.Form):
    source = forms.CharField(
        label=_("consent given by"), max_length=max_length_of(Person, "consent_source"), help_text=_("e.g. signed paper form, online at registration")
    )


class AnonymizeForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}), help_text=_("e.g. the person's written deletion request of 2026-11-20")
    )
    confirm = forms.BooleanField(label=_("I understand that the personal data are erased for good"))


class WillingToReviewForm(forms.Form):
    """The S&T worker's own word: serve as an expert reviewer (the pool of kejia.review) or not."""

    willing = forms.BooleanField(label=_("I agree to serve as an expert reviewer"), required=False)


class LinkForm(forms.Form):
    name = forms.CharField(label=_("your name"), max_length=max_length_of(Person, "name"))
    resident_id = forms.CharField(
        label=_("your resident ID number"), max_length=40, required=False, widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})
    )
    phone = forms.CharField(
        label=_("or your phone number"), max_length=32, required=False, widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"})
    )


class LinkCodeForm(forms.Form):
    code = forms.CharField(
        label=pgettext_lazy("verification", "code"),
        max_length=16,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
    )


class UnlinkForm(forms.Form):
    reason = forms.CharField(
        label=_("reason for undoing the link"), max_length=200, help_text=_("e.g. the account was linked by someone else; the person confirmed by phone")
    )


class PrefillForm(forms.Form):
    org = forms.IntegerField(min_value=1, max_value=2**62)
