"""The dev settings with persistent SQLite connections, for the A/B run in bench/RESULTS.md
(`python -m bench.run --settings bench.settings_persistent_sqlite`).

Why: with the default CONN_MAX_AGE = 0, Django closes the connection at the end of every
request and Channels' `database_sync_to_async` does the same around every call, so each vote,
each tally read and each page opens SQLite again and re-runs the WAL/synchronous PRAGMAs.
"""

from workshop_site.settings.dev import *  # noqa: F403

DATABASES["default"]["CONN_MAX_AGE"] = None  # noqa: F405
