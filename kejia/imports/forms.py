from django import forms
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from kejia.imports.models import ImportKind, ImportMode

PICKER_SHOWN = 20  # organizations listed by the picker at a time


class OrganizationPicker(forms.Widget):
    """The organization to import into, picked from a search within the user's scope instead of a
    select of every organization (a platform admin's would hold thousands). The page lists the
    matches of `org_q` as radio buttons — without JS the search button reloads the page with them;
    with htmx the list follows the typing (imports:organizations). `matches` is set by the form."""

    matches: list = ()
    query: str = ""

    def render(self, name, value, attrs=None, renderer=None):
        return render_to_string(
            "imports/_organization_picker.html",
            {"name": name, "value": str(value or ""), "matches": self.matches, "query": self.query, "attrs": attrs or {}, "shown": PICKER_SHOWN},
        )

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class ImportForm(forms.Form):
    organization = forms.ModelChoiceField(
        queryset=None, label=_("Import into"), empty_label=None, widget=OrganizationPicker, help_text=_("Type part of its name or its code, then choose it.")
    )
    kind = forms.ChoiceField(
        label=_("What the sheet holds"),
        choices=ImportKind.choices,
        initial=ImportKind.PEOPLE,
        widget=forms.RadioSelect,
        required=False,
        help_text=_("A member list of a society also has the columns 会员类别, and optionally 会员号, 入会日期 and 会费缴至; import it into the society."),
    )
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("XLSX or CSV (UTF-8 or GBK); the first row holds the column names."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    mode = forms.ChoiceField(label=_("If some rows are bad"), choices=ImportMode.choices, initial=ImportMode.ALL, widget=forms.RadioSelect)
    dry_run = forms.BooleanField(label=_("Only check the file, write nothing"), required=False)

    def __init__(self, *args, organizations, query: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        from kejia.imports.selectors import find_importable_organizations

        field = self.fields["organization"]
        field.queryset = organizations
        chosen = self.data.get("organization") if self.is_bound else self.initial.get("organization")
        chosen_pk = getattr(chosen, "pk", chosen)
        matches = list(find_importable_organizations(organizations, query, limit=PICKER_SHOWN))
        if chosen_pk and str(chosen_pk).isdigit() and all(str(o.pk) != str(chosen_pk) for o in matches):
            matches = [*organizations.filter(pk=chosen_pk), *matches][:PICKER_SHOWN]
        field.widget = OrganizationPicker()
        field.widget.matches, field.widget.query = matches, query
