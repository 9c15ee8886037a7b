"""A lean bulk insert for many new rows of one model: `insert_returning(model, objs)`.

Django's `bulk_create` prepares every value of every row through the field (`pre_save`,
`get_db_prep_save`, placeholders, compiler): for a 38-field model that is most of an import's
time. Here the work is planned once per field and done column by column:

- auto_now / auto_now_add fields: one value for the whole call, converted once, set on every object;
- char, text, slug, e-mail, boolean, integer fields and foreign-key ids (attname values): the value
  goes to the driver as it is when it already has the type the field would turn it into (checked
  per column from the set of the values' types; any other value goes through the field);
- everything else (dates, datetimes, decimals, JSON, custom fields): `field.get_db_prep_save`, once per
  distinct value of a column for fields whose conversion depends on the value alone (dates, times,
  UUIDs, empty JSON lists and objects).

Rows are written as multi-row `INSERT ... VALUES (...), (...) RETURNING <pk>` statements, each
within Django's `bulk_batch_size` (or `batch_size` rows, within the bound-variable limit SQLite
reports) and PostgreSQL's 65 535 parameters; each object gets its pk, `_state.adding = False` and `_state.db`, as from
`bulk_create`. `instance_factory(model)` builds the new instances themselves quickly. Like
`bulk_create`, it relies on the database returning the rows in the order of
VALUES, sends no signals and calls no `save()`.

Anything this does not cover goes to `bulk_create` unchanged: a backend that cannot return rows
from a bulk insert, a primary key that is not an auto field or already set, fields with
`db_default`, generated or other returning fields, fields with their own SQL placeholder, and
expressions as values. A multi-table-inherited model is refused (by `bulk_create`) as there."""

import sqlite3
from itertools import chain
from operator import attrgetter

from django.db import connections, router, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import NOT_PROVIDED, JSONField, fields, signals
from django.db.models.base import ModelState
from django.db.models.fields.related import ForeignKey, OneToOneField

__all__ = ["insert_returning", "instance_factory"]

_TEXT_FIELDS = {fields.CharField, fields.TextField, fields.SlugField, fields.EmailField}
_INT_FIELDS = {
    fields.IntegerField,
    fields.BigIntegerField,
    fields.SmallIntegerField,
    fields.PositiveIntegerField,
    fields.PositiveBigIntegerField,
    fields.PositiveSmallIntegerField,
}
_AUTO_FIELDS = {fields.AutoField, fields.BigAutoField, fields.SmallAutoField}
_PLAIN_PRE_SAVE = {fields.Field.pre_save, fields.DateField.pre_save, fields.DateTimeField.pre_save, fields.TimeField.pre_save}
_NONE = type(None)
MAX_PARAMS = 65_535  # PostgreSQL's wire protocol: at most this many parameters in one statement
SQLITE_MAX_VARIABLES = 32_766  # SQLite's default limit since 3.32 (a build may set it lower: it is asked)


def insert_returning(model, objs, *, using: str | None = None, batch_size: int | None = None) -> list:
    """Insert new, fully built instances of `model` (no pk yet) and set their pks. Returns the
    objects, as `bulk_create` does. `batch_size`: rows in one statement, as many as asked within
    the bound-variable limit the database really has (see `_rows_per_statement`); by default
    Django's `bulk_batch_size`."""
    objs = list(objs)
    if not objs:
        return objs
    using = using or router.db_for_write(model)
    connection = connections[using]
    opts = model._meta
    pk = opts.pk

    def fallback():
        return model._default_manager.db_manager(using).bulk_create(objs)

    if not connection.features.can_return_rows_from_bulk_insert or not _plain_model(opts, connection):
        return fallback()
    if any(obj.pk is not None for obj in objs):
        return fallback()
    insert_fields = [f for f in opts.concrete_fields if f is not pk]
    if not insert_fields:
        return fallback()

    _prepare_related(opts, objs)
    # The values as the objects hold them, one column per field.
    if len(insert_fields) > 1:
        columns = list(zip(*map(attrgetter(*[f.attname for f in insert_fields]), objs), strict=True))
    else:
        columns = [tuple(getattr(obj, insert_fields[0].attname) for obj in objs)]
    types = []
    for field, column in zip(insert_fields, columns, strict=True):
        kinds = set() if _is_auto_date(field) else set(map(type, column))
        if any(hasattr(kind, "resolve_expression") for kind in kinds):
            return fallback()
        types.append(kinds)

    plan = _Plan(connection)
    prepared = [plan.column(field, column, kinds, objs) for field, column, kinds in zip(insert_fields, columns, types, strict=True)]
    del columns

    ops = connection.ops
    ncols = len(insert_fields)
    batch = max(1, min(_rows_per_statement(connection, insert_fields, objs, batch_size), MAX_PARAMS // ncols, len(objs)))
    returning_sql, returning_params = ops.return_insert_columns([pk])
    head = f"{ops.insert_statement()} {ops.quote_name(opts.db_table)} ({', '.join(ops.quote_name(f.column) for f in insert_fields)}) "
    statements: dict[int, str] = {}

    pk_col = pk.get_col(opts.db_table)
    converters = ops.get_db_converters(pk_col) + pk.get_db_converters(connection)
    set_pk = pk.attname
    with transaction.atomic(using=using, savepoint=False), connection.cursor() as cursor:
        # SQLite: Django's cursor rewrites every %s of a statement into ? with a regular expression —
        # 40 000 of them in a statement of 1 000 people (a tenth of the insert's time). Unless queries
        # are being logged or wrapped (debug, tests counting queries) or the cursor is not sqlite3's,
        # the statement is written with ? and given to the sqlite3 cursor as Django's cursor would,
        # inside its error translation.
        qmark = (
            connection.vendor == "sqlite"
            and not connection.queries_logged
            and not connection.execute_wrappers
            and isinstance(getattr(cursor, "cursor", None), sqlite3.Cursor)
        )
        row = ["?" if qmark else "%s"] * ncols
        for start in range(0, len(objs), batch):
            part = objs[start : start + batch]
            size = len(part)
            sql = statements.get(size)
            if sql is None:
                sql = statements[size] = f"{head}{ops.bulk_insert_sql(insert_fields, [row] * size)} {returning_sql}"
            params = list(chain.from_iterable(zip(*[column[start : start + batch] for column in prepared], strict=True)))
            params.extend(returning_params)
            if qmark:
                connection.validate_no_broken_transaction()
                with connection.wrap_database_errors:
                    sqlite3.Cursor.execute(cursor.cursor, sql, params)
            else:
                cursor.execute(sql, params)
            returned = ops.fetch_returned_insert_rows(cursor)
            if len(returned) != size:
                raise RuntimeError(f"INSERT ... RETURNING gave {len(returned)} rows for {size}")
            for obj, (value, *_rest) in zip(part, returned, strict=True):
                for converter in converters:
                    value = converter(value, pk_col, connection)
                setattr(obj, set_pk, value)
                state = obj._state
                state.adding = False
                state.db = using
    return objs


def _rows_per_statement(connection, insert_fields, objs, wanted: int | None) -> int:
    """Django's batch for the backend, or `wanted` rows within the real limit. On SQLite Django
    assumes the old default of 999 bound variables (26 rows a statement for a 38-column model);
    the library's own limit (Python ≥ 3.11 can ask it; 32 766 by default since SQLite 3.32)
    allows statements of hundreds of rows, which write a large import about 1.6 times as fast."""
    batch = connection.ops.bulk_batch_size(insert_fields, objs) or len(objs)
    if not wanted or wanted <= batch:
        return wanted or batch
    if connection.vendor != "sqlite":
        return wanted  # PostgreSQL: MAX_PARAMS caps it (the caller takes the minimum)
    connection.ensure_connection()
    getlimit = getattr(connection.connection, "getlimit", None)
    if getlimit is None:
        return batch
    limit = min(getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER), SQLITE_MAX_VARIABLES)
    return max(batch, min(limit // len(insert_fields), wanted))


def _plain_model(opts, connection) -> bool:
    """What this module can insert by itself; anything else goes to bulk_create."""
    if opts.proxy or opts.parents:  # multi-table inheritance (bulk_create refuses it); proxies: let Django handle them
        return False
    if type(opts.pk) not in _AUTO_FIELDS:
        return False
    if [f for f in opts.db_returning_fields if f is not opts.pk]:
        return False
    for field in opts.concrete_fields:
        if getattr(field, "generated", False) or field.db_default is not NOT_PROVIDED or hasattr(field, "get_placeholder"):
            return False
        if field.is_relation and not isinstance(field, ForeignKey):
            return False
    return True


def _is_auto_date(field) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def _prepare_related(opts, objs) -> None:
    """As Model._prepare_related_fields_for_save: a related object assigned before it had a pk
    gives its pk now; one still without a pk is an error. Only objects holding a related object
    (a non-empty field cache: built with `region=…`, not `region_id=…`) are looked at."""
    holding = [obj for obj in objs if obj._state.fields_cache]
    if not holding:
        return
    for field in opts.concrete_fields:
        if not field.is_relation:
            continue
        target = field.target_field.attname
        for obj in holding:
            if not field.is_cached(obj):
                continue
            related = field.get_cached_value(obj)
            if related is None:
                continue
            if related.pk is None:
                raise ValueError(f"insert_returning() prohibited to prevent data loss due to unsaved related object '{field.name}'.")
            if getattr(obj, field.attname) in field.empty_values:
                setattr(obj, field.attname, related.pk)
            if getattr(related, target) != getattr(obj, field.attname):
                field.delete_cached_value(obj)


class _Plan:
    """How each column becomes parameters, decided once per field."""

    def __init__(self, connection):
        self.connection = connection
        ops = type(connection.ops)
        # Backends that wrap integers (psycopg 3: Int4/Int8) or check auto pks (MySQL) get the field's conversion.
        self.plain_ints = ops.adapt_integerfield_value is BaseDatabaseOperations.adapt_integerfield_value
        self.plain_auto = ops.validate_autopk_value is BaseDatabaseOperations.validate_autopk_value

    def column(self, field, column, kinds, objs) -> list | tuple:
        connection = self.connection
        if _is_auto_date(field):
            value = field.pre_save(objs[0], add=True)  # timezone.now() / date.today(): one value for the whole call
            attname = field.attname
            for obj in objs:
                setattr(obj, attname, value)
            return [field.get_db_prep_save(value, connection)] * len(objs)
        if type(field).pre_save not in _PLAIN_PRE_SAVE:  # e.g. FileField: pre_save commits the file
            column = [field.pre_save(obj, add=True) for obj in objs]
            kinds = set(map(type, column))
        allowed = self._pass_through(field)
        if allowed is not None:
            if kinds <= allowed:
                return column
            if allowed is _STR:  # str subclasses (TextChoices members) stay as they are, as CharField.to_python leaves them
                prep = field.get_db_prep_save
                return [v if v is None or isinstance(v, str) else prep(v, connection) for v in column]
            prep = field.get_db_prep_save
            return [v if type(v) in allowed else prep(v, connection) for v in column]
        prep = field.get_db_prep_save
        if type(field) in _PURE_PREP:
            return _memoized(prep, connection, column)
        return [prep(v, connection) for v in column]

    def _pass_through(self, field) -> frozenset | None:
        """The types a value may have to go to the driver as it is, None when every value goes through the field."""
        kind = type(field)
        if kind in _TEXT_FIELDS:
            return _STR
        if kind is fields.BooleanField:
            return _BOOL
        if kind in _INT_FIELDS:
            return _INT if self.plain_ints else None
        if kind in (ForeignKey, OneToOneField):
            target = type(field.target_field)
            if target in _AUTO_FIELDS:
                return _INT if self.plain_auto else None
            if target in _TEXT_FIELDS:  # ForeignKey.get_db_prep_save turns "" into NULL only where "" is NULL (Oracle)
                return None if self.connection.features.interprets_empty_strings_as_nulls else _STR
            if target in _INT_FIELDS:
                return _INT if self.plain_ints else None
        return None


# Fields whose database value depends on the value alone (no key, nonce or clock): each distinct
# value of a column is converted once (dates of birth, empty JSON lists repeat across 100 000 rows).
_PURE_PREP = {fields.DateField, fields.DateTimeField, fields.TimeField, fields.UUIDField, JSONField}
_MISSING = object()


def _memoized(prep, connection, column) -> list:
    memo: dict = {}
    out = []
    append = out.append
    for value in column:
        kind = type(value)
        if kind is list or kind is dict:
            if value:  # only the empty container is shared
                append(prep(value, connection))
                continue
            key = kind
        else:
            key = (kind, value)  # the type in the key: 1, 1.0 and True are equal but convert differently
        try:
            converted = memo.get(key, _MISSING)
        except TypeError:  # an unhashable value
            append(prep(value, connection))
            continue
        if converted is _MISSING:
            converted = memo[key] = prep(value, connection)
        append(converted)
    return out


_STR = frozenset({str, _NONE})
_BOOL = frozenset({bool, _NONE})
_INT = frozenset({int, _NONE})


def instance_factory(model):
    """A maker of new, unsaved instances of `model` for bulk inserts: `make(**values)` with values
    keyed by attname (`person_id`, not `person`). Same result as `model(**values)` — every field
    at its default (a callable default called per instance), `_state.adding` — without
    Model.__init__'s per-field work, which is most of building 100 000 objects. A model with
    `pre_init`/`post_init` receivers (file fields, some third-party apps) gets `model(**values)`."""
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return lambda **values: model(**values)
    static: dict = {}
    dynamic: list = []
    for field in model._meta.concrete_fields:
        if field.has_default() and callable(field.default):
            dynamic.append((field.attname, field.default))
        else:
            static[field.attname] = field.get_default()
    new = model.__new__

    def make(**values):
        obj = new(model)
        attrs = obj.__dict__
        attrs.update(static)
        for attname, default in dynamic:
            attrs[attname] = default()
        attrs.update(values)
        attrs["_state"] = ModelState()
        return obj

    return make
