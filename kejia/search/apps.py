from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """The derived full-text index (tantivy + jieba); the database stays the source of truth."""

    name = "kejia.search"
    label = "search"
    verbose_name = _("Search")
