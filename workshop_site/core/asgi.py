"""Django's ASGI handler for the embedded default (SQLite): one database thread per process.

Django's own handler gives every HTTP request a fresh thread for its sync code
(`ThreadSensitiveContext`), so with SQLite every request opened a new connection and set it
up again (a quarter of a join's server CPU in bench/, py-spy) and waited on the other
threads' write locks. SQLite takes one writer at a time whatever the threads do, so here the
requests' sync code runs in the same single thread as the live sockets' database work
(Channels' `database_sync_to_async`), on one persistent connection. The cost: a slow request
(a large export) delays the room's votes in that process while it runs. PostgreSQL keeps
Django's handler: there, concurrent requests do not serialise.
"""

from django.core.handlers.asgi import ASGIHandler


class OneDatabaseThreadASGIHandler(ASGIHandler):
    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        # No ThreadSensitiveContext: thread-sensitive work goes to asgiref's one shared thread.
        await self.handle(scope, receive, send)


def django_asgi_application():
    """The HTTP application: Django's handler, or the one-thread one on SQLite."""
    import django
    from django.conf import settings

    django.setup(set_prefix=False)
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        return OneDatabaseThreadASGIHandler()
    return ASGIHandler()
