from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo province: `manage.py seed_demo` and `demo_logins`. It sits above every other app
    and drives each app's demo data; no other app imports it (docs/architecture.md)."""

    name = "kejia.demo"
    label = "demo"
    verbose_name = _("Demo data")
