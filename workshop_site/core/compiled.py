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
    """`build(*params)` returns a queryset whose SQL has exactly `params` as its parameters,
    in that order, whatever their values (ids, not None or lists: those change the SQL)."""

    def __init__(self, build: Callable[..., QuerySet], *, suffix: str = ""):
        self.build = build
        self.suffix = suffix  # e.g. a row lock the ORM cannot express ("FOR KEY SHARE")
        self.sql: dict[tuple[str, str], str] = {}

    def first(self, *params, using: str = "default") -> tuple | None:
        """The first row, as a tuple of the queryset's `values_list` columns, or None."""
        connection = connections[using]
        key = (using, connection.vendor)
        sql = self.sql.get(key)
        if sql is None:
            sql, built_params = self.build(*params).query.sql_with_params()
            if tuple(built_params) != params:
                raise ValueError(f"{sql!r} takes {built_params!r}, not the parameters it was built with")
            sql = self.sql[key] = f"{sql} {self.suffix}".strip()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
