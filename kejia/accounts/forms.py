from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kejia.accounts.services import MAX_TOKEN_DAYS


class LoginForm(forms.Form):
    identifier = forms.CharField(label=_("Username or phone"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=64, required=False)
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=MAX_TOKEN_DAYS, required=False)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("Current password"), max_length=256, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password = forms.CharField(label=_("New password"), max_length=256, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class ResetRequestForm(forms.Form):
    identifier = forms.CharField(label=_("Username or phone"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))


class ResetConfirmForm(forms.Form):
    identifier = forms.CharField(label=_("Username or phone"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username"}))
    code = forms.CharField(
        label=pgettext_lazy("verification", "Code"), max_length=16, widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"})
    )
    new_password = forms.CharField(label=_("New password"), max_length=256, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class RegisterStartForm(forms.Form):
    contact = forms.CharField(
        label=_("Mobile phone or e-mail"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "autofocus": True}),
        help_text=_("We send a code to it. You log in with it later."),
    )
    consent = forms.BooleanField(label=_("I have read the privacy notice above and agree to it."), required=False)


class RegisterConfirmForm(forms.Form):
    code = forms.CharField(
        label=pgettext_lazy("verification", "Code"),
        max_length=16,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
    )
    name = forms.CharField(
        label=_("Your name"),
        max_length=64,
        help_text=_("As the organizations that list you write it: we look for your profile with it."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=256,
        help_text=_("At least 8 characters, not only digits."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
