from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kejia.accounts.services import MAX_TOKEN_DAYS


class LoginForm(forms.Form):
    identifier = forms.CharField(label=_("Username or phone"), max_length=150,
                                 widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=64, required=False)
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=MAX_TOKEN_DAYS, required=False)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("Current password"), max_length=256,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password = forms.CharField(label=_("New password"), max_length=256,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class ResetRequestForm(forms.Form):
    identifier = forms.CharField(label=_("Username or phone"), max_length=150,
                                 widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))


class ResetConfirmForm(forms.Form):
    identifier = forms.CharField(label=_("Username or phone"), max_length=150,
                                 widget=forms.TextInput(attrs={"autocomplete": "username"}))
    code = forms.CharField(label=pgettext_lazy("verification", "Code"), max_length=16,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))
    new_password = forms.CharField(label=_("New password"), max_length=256,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
