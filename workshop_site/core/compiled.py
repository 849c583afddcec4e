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
