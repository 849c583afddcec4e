"""Reads on the live room's hottest path, with their SQL built by the ORM once per database.

Building a query (filters, joins, ordering, compiling) costs the ORM ~0.3 ms of CPU a time,
where SQLite runs the statement itself in ~10 µs; a vote makes three such reads, all in the
one thread that does a daphne process's database work (bench/RESULTS.md). A `CompiledRead`
keeps the ORM as the author of the SQL (table and column names, quoting, the vendor's
dialect) and only skips rebuilding it: the queryset is built with the first call's
parameters, and later calls run the same statement with theirs.
"""

from collections.abc import Callable

from django.db import connections
from django.db.models import QuerySet


class CompiledRead:
    """`build(*params)` returns a `values_list` queryset whose SQL has exactly `params` as its
    parameters, in that order, whatever their values (ids: not None or lists, which change the
    SQL). Rows come back as the queryset would give them (the fields' converters applied:
    booleans and datetimes on SQLite)."""

    def __init__(self, build: Callable[..., QuerySet], *, suffix: str = ""):
        self.build = build
        self.suffix = suffix  # e.g. a row lock the ORM cannot express ("FOR KEY SHARE")
        self.compiled: dict[tuple[str, str], tuple] = {}

    def first(self, *params, using: str = "default") -> tuple | None:
        """The first row, or None."""
        rows = self._rows(params, using, one=True)
        return rows[0] if rows else None

    def all(self, *params, using: str = "default") -> list[tuple]:
        """Every row."""
        return self._rows(params, using, one=False)

    def _compile(self, params: tuple, using: str) -> tuple:
        connection = connections[using]
        key = (using, connection.vendor)
        if key not in self.compiled:
            compiler = self.build(*params).query.get_compiler(using=using)
            sql, built_params = compiler.as_sql()
            if tuple(built_params) != params:
                raise ValueError(f"{sql!r} takes {built_params!r}, not the parameters it was built with")
            fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
            converters = compiler.get_converters(fields)
            self.compiled[key] = (f"{sql} {self.suffix}".strip(), compiler, converters)
        return self.compiled[key]

    def _rows(self, params: tuple, using: str, *, one: bool) -> list[tuple]:
        sql, compiler, converters = self._compile(params, using)
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            rows = [cursor.fetchone()] if one else cursor.fetchall()
        rows = [row for row in rows if row is not None]
        if converters:
            rows = [tuple(row) for row in compiler.apply_converters(rows, converters)]
        return rows


class CompiledInstances(CompiledRead):
    """A `CompiledRead` whose rows are `model` instances, made as the ORM makes a queryset's
    (`Model.from_db`, every concrete field loaded), with the object of the foreign key
    `related` cached on each, as `select_related` caches it, holding only `related_fields`
    (the rest deferred). `build(*params)` returns the queryset of `model`, without
    `values_list`. A contract test (tests/ideas/test_live_path.py) compares its instances with
    the ORM's, field by field."""

    def __init__(self, model, build: Callable[..., QuerySet], *, related: str, related_fields: tuple[str, ...],
                 suffix: str = ""):
        self.model = model
        self.attnames = [field.attname for field in model._meta.concrete_fields]
        self.related_field = model._meta.get_field(related)
        self.related_names = [self.related_field.target_field.attname, *related_fields]
        extra = [f"{related}__{name}" for name in related_fields]
        super().__init__(lambda *params: build(*params).values_list(*self.attnames, *extra), suffix=suffix)

    def instances(self, *params, using: str = "default") -> list:
        found = []
        width = len(self.attnames)
        for row in self.all(*params, using=using):
            instance = self.model.from_db(using, self.attnames, row[:width])
            key = getattr(instance, self.related_field.attname)
            if key is not None:
                related = self.related_field.related_model.from_db(using, self.related_names, (key, *row[width:]))
                self.related_field.set_cached_value(instance, related)
            found.append(instance)
        return found


class CompiledInsert:
    """An INSERT of one row of `model` (its concrete fields but an automatic primary key), its
    SQL written by the ORM once per database, as `Model.objects.create` writes it. Each call
    prepares its values as `Model.save` does (a field left out takes its default, `auto_now` and
    `auto_now_add` the time now, then the field's `get_db_prep_save`), without building a model
    instance or the statement: on the vote's path the ORM's `create` cost more than running it
    (bench/RESULTS.md, session 10). Nothing is returned and no signal is sent: for rows
    nothing listens to. A contract test (tests/ideas/test_compiled_insert.py) compares
    its rows and SQL with the ORM's."""

    def __init__(self, model):
        self.model = model
        self.fields = [field for field in model._meta.concrete_fields
                       if not (field.primary_key and getattr(field, "db_returning", False))]
        self.now_fields = {field.attname for field in self.fields
                           if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)}
        self.compiled: dict[tuple[str, str], str] = {}

    def sql(self, using: str = "default") -> str:
        connection = connections[using]
        key = (using, connection.vendor)
        if key not in self.compiled:
            from django.db.models.sql import InsertQuery

            query = InsertQuery(self.model)
            query.insert_values(self.fields, [self.model()])  # a placeholder row: its SQL only
            [(statement, _params)] = query.get_compiler(using=using).as_sql()
            self.compiled[key] = statement
        return self.compiled[key]

    def insert(self, using: str = "default", **values) -> None:
        from django.utils import timezone

        connection = connections[using]
        sql = self.sql(using)
        now = timezone.now() if self.now_fields else None
        params = []
        for field in self.fields:
            if field.attname in self.now_fields:
                value = now
            elif field.attname in values:
                value = values.pop(field.attname)
            else:
                value = field.get_default()
            params.append(field.get_db_prep_save(value, connection))
        if values:
            raise TypeError(f"{self.model.__name__} has no column {', '.join(values)}")
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
