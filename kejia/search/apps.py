from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """The derived full-text index (tantivy + jieba); the database stays the source of truth."""

    name = "kejia.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from kejia.people.signals import people_changed

        people_changed.connect(_reindex_changed, dispatch_uid="kejia.search.reindex_changed_people")


def _reindex_changed(sender, person_ids, **kwargs) -> None:
    """The search index follows the database: re-index after the transaction commits."""
    from kejia.search.tasks import index_people_on_commit

    index_people_on_commit(person_ids)
