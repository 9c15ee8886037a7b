"""The input of "find an association near me": a division (picked down to the township) and a
discipline (GB/T 13745), both optional."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kejia.reference.forms import RegionCodeField
from kejia.reference.models import Discipline


class DisciplineField(forms.ChoiceField):
    """A discipline code, cleaned to its Discipline. The menu lists the first level (a society of
    a second-level discipline is found under its first level); any known code is accepted."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Discipline"))
        super().__init__(**kwargs)
        self.choices = self._menu

    @staticmethod
    def _menu():
        return [("", _("Any discipline")), *((d.code, f"{d.code} {d.name}") for d in Discipline.objects.filter(level=1))]

    def valid_value(self, value) -> bool:
        return True  # checked against the table in clean()

    def clean(self, value):
        code = (super().clean(value) or "").strip()
        if not code:
            return None
        discipline = Discipline.objects.filter(code=code[:8]).first() if len(code) <= 8 else None
        if discipline is None:
            raise ValidationError(_("There is no discipline with the code %(code)s."), params={"code": code[:20]}, code="unknown_discipline")
        return discipline


class FindForm(forms.Form):
    region = RegionCodeField(required=False, label=_("Where"), help_text=_("Pick province, city, county and township, or search by name."))
    discipline = DisciplineField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A second-level code (from a link on a public page) is shown as chosen.
        code = str(self.data.get("discipline", "") or "").strip()
        if 3 < len(code) <= 8:
            chosen = Discipline.objects.filter(code=code).first()
            if chosen is not None:
                self.fields["discipline"].choices = [*DisciplineField._menu(), (chosen.code, f"{chosen.code} {chosen.name}")]
