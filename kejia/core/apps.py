from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kejia.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.conf import settings

        from kejia.core import lookups  # noqa: F401  (registers the path-prefix lookup)
        from kejia.core.keys import refuse_development_keys

        refuse_development_keys(settings)  # every entry point runs this: server, manage.py, worker
