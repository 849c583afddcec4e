"""Real daphne processes serving the real ASGI application on the test database."""

from concurrent.futures import ThreadPoolExecutor
from functools import partial

from asgiref.sync import SyncToAsync
from channels.layers import channel_layers
from channels.testing.live import make_application
from daphne.testing import DaphneProcess
from django.conf import settings
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.cache import caches
from django.db import connections


def prepare_for_fork() -> None:
    """Give the forked server what a new process would have, whatever tests ran here before:
    - no open database connection (the child would share its socket);
    - a fresh asgiref single-thread executor: once async tests used it, its worker thread
      exists only in this process, and in the child every thread-sensitive
      `database_sync_to_async` call (all a consumer makes) would wait for it forever;
    - empty local-memory caches (Wagtail's site root paths, join throttling) and a new
      in-memory channel layer. Shared backends (Redis) are left alone."""
    connections.close_all()
    SyncToAsync.single_thread_executor.shutdown(wait=False)
    SyncToAsync.single_thread_executor = ThreadPoolExecutor(max_workers=1)
    for alias, config in settings.CACHES.items():
        if config["BACKEND"].endswith("LocMemCache"):
            caches[alias].clear()
    channel_layers.backends.clear()


class LiveServer:
    def __init__(self):
        prepare_for_fork()
        # The child inherits the settings as the test run left them, already naming the test database.
        self.process = DaphneProcess("127.0.0.1", partial(make_application, static_wrapper=ASGIStaticFilesHandler))
        self.process.start()
        if not self.process.ready.wait(timeout=20):
            self.process.terminate()
            raise RuntimeError("the live daphne server did not start")
        self.port = self.process.port.value
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"

    def stop(self):
        self.process.terminate()
        self.process.join(timeout=10)
