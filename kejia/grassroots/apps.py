from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrassrootsConfig(AppConfig):
    name = "kejia.grassroots"
    label = "grassroots"
    verbose_name = _("Grassroots key staff")
