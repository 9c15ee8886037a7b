"""`path__descends` — prefix match on a materialized path, index-friendly on both databases.

Paths hold only [0-9A-Z], so no escaping is needed. SQLite uses GLOB (case-sensitive, so its
b-tree prefix optimisation applies with the default BINARY collation); PostgreSQL uses LIKE,
served by the column's `varchar_pattern_ops` index."""

from django.db import models
from django.db.models import Lookup


@models.CharField.register_lookup
class Descends(Lookup):
    lookup_name = "descends"

    def process_rhs(self, compiler, connection):
        rhs, params = super().process_rhs(compiler, connection)
        wildcard = "*" if connection.vendor == "sqlite" else "%"
        return rhs, [f"{p}{wildcard}" for p in params]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        op = "GLOB" if connection.vendor == "sqlite" else "LIKE"
        return f"{lhs} {op} {rhs}", [*lhs_params, *rhs_params]
