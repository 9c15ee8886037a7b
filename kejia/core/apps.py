from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kejia.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from kejia.core import lookups  # noqa: F401  (registers the path-prefix lookup)
