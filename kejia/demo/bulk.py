"""The bulk builder of organization trees (used by the demo seed and the benchmarks)."""

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max

from kejia.organizations.models import Organization, encode_segment


class BulkTree:
    """Collects organizations parent first, gives each its id, path and depth in memory and
    writes them with `bulk_create`. Call `reserve()` inside the transaction that `save()`s."""

    def __init__(self) -> None:
        self.orgs: list[Organization] = []
        self.links: list[tuple[int, str]] = []  # (organization id, discipline code)
        self._next_id: int | None = None

    def reserve(self) -> None:
        """Lock the table against concurrent inserts and start numbering after the highest id."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {Organization._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
        # SQLite: the project opens write transactions IMMEDIATE, which already excludes writers.
        self._next_id = (Organization.objects.aggregate(m=Max("id"))["m"] or 0) + 1

    def add(self, parent: Organization | None, *, disciplines: tuple[str, ...] = (), **fields) -> Organization:
        if self._next_id is None:
            raise RuntimeError("BulkTree.reserve() must be called first")
        pk = self._next_id
        self._next_id += 1
        org = Organization(
            pk=pk,
            parent_id=parent.pk if parent else None,
            path=(parent.path if parent else "") + encode_segment(pk),
            depth=parent.depth + 1 if parent else 0,
            **fields,
        )
        self.orgs.append(org)
        self.links.extend((pk, code) for code in disciplines)
        return org

    def save(self, *, batch_size: int = 1000) -> None:
        Organization.objects.bulk_create(self.orgs, batch_size=batch_size)
        through = Organization.disciplines.through
        through.objects.bulk_create([through(organization_id=o, discipline_id=d) for o, d in self.links], batch_size=batch_size)
        # Explicit ids leave PostgreSQL's identity sequence behind; move it past them.
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Organization]):
                cursor.execute(sql)
