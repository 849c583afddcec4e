"""Django's ASGI handler with one database thread per process, and one hop into it a request.

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

The middleware chain is built synchronous and entered once. Built for ASGI, Django's chain is
async down to the view, and every sync piece in it is a thread hop: each `MiddlewareMixin`'s
`process_request` and `process_response` (four middleware below the first function middleware),
the function middleware (sync only) back to the event loop through `async_to_sync`, the view:
twelve crossings a request, each a wake-up of the other side. Built as WSGI builds it, the chain
and the view run in one call on the database thread: three crossings (with Django's
`request_started` signal and the response's close). In single runs of a 2,000-phone join it did
not shorten the join measurably (bench/RESULTS.md, session 10); it is kept because each request
does less and the chain is the one WSGI runs. What this relies on (Django's `load_middleware`
and `get_response_async` awaiting `_middleware_chain`) is checked by
tests/workshop_site/test_asgi_handler.py, which counts the hops of a request.
"""

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler


class OneDatabaseThreadASGIHandler(ASGIHandler):
    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)
        self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=True)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        # No ThreadSensitiveContext: thread-sensitive work goes to asgiref's one shared thread.
        await self.handle(scope, receive, send)


def django_asgi_application() -> OneDatabaseThreadASGIHandler:
    import django

    django.setup(set_prefix=False)
    return OneDatabaseThreadASGIHandler()
