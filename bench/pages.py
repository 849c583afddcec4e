"""Server time of the heavy pages, on the bench's own data (bench/setup_data.py).

Run as `python -m bench.pages` by bench/run.py, with DEBUG off and the bench database. Each
page is requested through Django's test client in this process (the whole Django stack:
middleware, view, queries, template; no network, no daphne), warmed up, then timed over
repeated requests; the queries of one request are counted alongside. Prints one JSON line.
"""

import json
import os
import statistics
import sys
import time

import django


def main() -> None:
    django.setup()
    from django.db import connection
    from django.test import Client

    info = json.loads(sys.argv[1])
    repeats = int(os.environ.get("BENCH_PAGE_REPEATS", "30"))
    code = info["pages"]

    participant = Client(HTTP_HOST="127.0.0.1")
    participant.get(f"/w/{code}/")
    joined = participant.post(
        f"/api/workshops/{code}/participants",
        {"display_name": "Bench", "role": "citizen"},
        content_type="application/json",
    )
    assert joined.status_code == 201, joined.content
    facilitator = Client(HTTP_HOST="127.0.0.1")
    assert facilitator.login(**info["facilitator"])
    anonymous = Client(HTTP_HOST="127.0.0.1")
    pages = [
        ("participant", participant, f"/w/{code}/"),
        ("presenter", facilitator, f"/w/{code}/present/"),
        ("results", anonymous, f"/w/{code}/results/"),
        ("results_api", anonymous, f"/api/workshops/{code}/results"),
        ("office", anonymous, info["office_path"]),
        ("play", anonymous, info["play_path"]),
    ]
    figures = {}
    for name, client, path in pages:
        for _ in range(3):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
        # Counted with an execute wrapper: the query log is reset at each request's start.
        queries: list[str] = []

        def count(execute, sql, *rest, queries=queries):
            queries.append(sql)
            return execute(sql, *rest)

        with connection.execute_wrapper(count):
            client.get(path)
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            response = client.get(path)
            times.append(1000 * (time.perf_counter() - started))
            assert response.status_code == 200
        times.sort()
        figures[name] = {
            "path": path,
            "queries": len(queries),
            "bytes": len(response.content),
            "repeats": repeats,
            "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[min(len(times) - 1, int(0.95 * len(times)))], 1),
        }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
