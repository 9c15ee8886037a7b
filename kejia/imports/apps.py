from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """Spreadsheet import machinery (upload, validation report, progress, rollback), used by the
    talent database now and by membership lists later."""

    name = "kejia.imports"
    label = "imports"
    verbose_name = _("Imports")
