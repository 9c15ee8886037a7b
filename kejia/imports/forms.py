from django import forms
from django.utils.translation import gettext_lazy as _

from kejia.imports.models import ImportKind, ImportMode


class ImportForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=None, label=_("Import into"), empty_label=None)
    kind = forms.ChoiceField(label=_("What the sheet holds"), choices=ImportKind.choices, initial=ImportKind.PEOPLE, widget=forms.RadioSelect,
                             required=False,
                             help_text=_("A member list of a society also has the columns 会员类别, and optionally 会员号, 入会日期 and 会费缴至; "
                                         "import it into the society."))
    file = forms.FileField(label=_("Spreadsheet"), help_text=_("XLSX or CSV (UTF-8 or GBK); the first row holds the column names."),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))
    mode = forms.ChoiceField(label=_("If some rows are bad"), choices=ImportMode.choices, initial=ImportMode.ALL, widget=forms.RadioSelect)
    dry_run = forms.BooleanField(label=_("Only check the file, write nothing"), required=False)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
