"""Django's ASGI handler with one database thread per process.

Django's own handler gives every HTTP request a fresh thread for its sync code
(`ThreadSensitiveContext`), and each thread opens its own database connection:
- with SQLite, a new connection set up for every request (a quarter of a join's server CPU in
  bench/, py-spy) that also waited on the other threads' write locks;
- with PostgreSQL and persistent connections, a connection left open by every request's
  thread: a join storm of 2,000 phones exhausted the server's `max_connections` (100) within
  seconds (bench/RESULTS.md, "Scale-out"), and the joins failed with 503.
Here the requests' sync code runs in the same single thread as the live sockets' database work
(Channels' `database_sync_to_async`): one connection per process, kept open. The cost: a slow
request (a large export) delays that process's other requests and its rooms' votes while it
runs; scale out with more processes for more concurrency.
"""

from django.core.handlers.asgi import ASGIHandler


class OneDatabaseThreadASGIHandler(ASGIHandler):
    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        # No ThreadSensitiveContext: thread-sensitive work goes to asgiref's one shared thread.
        await self.handle(scope, receive, send)


def django_asgi_application() -> OneDatabaseThreadASGIHandler:
    import django

    django.setup(set_prefix=False)
    return OneDatabaseThreadASGIHandler()
