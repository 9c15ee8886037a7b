"""Parsing of the grassroots pages: text into values; the rules are the services' job."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kejia.organizations.forms import DateInput


class TargetForm(forms.Form):
    organization = forms.CharField(label=_("county or township association (code)"), max_length=32)
    target = forms.IntegerField(label=_("target number of key staff"), min_value=0, max_value=1_000_000)


class RecordForm(forms.Form):
    person = forms.IntegerField(
        label=_("person (profile number)"), min_value=1, max_value=2**31 - 1, help_text=_("The number in the address of the person's profile page.")
    )
    category = forms.ModelChoiceField(label=_("category"), queryset=None)
    organization = forms.CharField(
        label=_("grassroots body that took them in (code)"), max_length=32, required=False, help_text=_("Empty: recorded on the person only, not yet taken in.")
    )
    joined_on = forms.DateField(label=_("taken in on"), required=False, widget=DateInput)
    note = forms.CharField(label=_("post or note"), max_length=128, required=False)

    def __init__(self, *args, **kwargs):
        from kejia.grassroots.selectors import active_categories

        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = active_categories()


class CategoryForm(forms.Form):
    code = forms.SlugField(label=_("code"), max_length=32, help_text=_("An existing code changes that category."))
    name = forms.CharField(label=_("name"), max_length=128)
    is_chief = forms.BooleanField(label=_("one of the 三长"), required=False)
    source = forms.CharField(label=_("source"), max_length=255, required=False)
    sort = forms.IntegerField(label=_("order"), min_value=0, max_value=999, required=False, initial=0)
    is_active = forms.BooleanField(label=_("in use"), required=False, initial=True)
