from django import forms
from django.utils.translation import gettext_lazy as _

from kejia.imports.models import ImportMode


class ImportForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=None, label=_("Import into"), empty_label=None)
    file = forms.FileField(label=_("Spreadsheet"), help_text=_("XLSX or CSV (UTF-8 or GBK); the first row holds the column names."),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))
    mode = forms.ChoiceField(label=_("If some rows are bad"), choices=ImportMode.choices, initial=ImportMode.ALL, widget=forms.RadioSelect)
    dry_run = forms.BooleanField(label=_("Only check the file, write nothing"), required=False)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
