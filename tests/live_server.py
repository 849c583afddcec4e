"""Real daphne processes serving the real ASGI application on the test database."""

import logging
import sys
from concurrent.futures import ThreadPoolExecutor

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


LOG = settings.VAR_DIR / "live-server.log"


def _application_logging_to_file():
    """In the child: the application, with warnings and errors (a consumer's exception, a
    refused socket) written to var/live-server.log, since nobody reads the child's stderr."""
    handler = logging.FileHandler(LOG)
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.WARNING)
    logging.getLogger().addHandler(handler)
    return make_application(static_wrapper=ASGIStaticFilesHandler)


class LiveServer:
    def __init__(self):
        prepare_for_fork()
        self.log_from = LOG.stat().st_size if LOG.exists() else 0
        # The child inherits the settings as the test run left them, already naming the test database.
        self.process = DaphneProcess("127.0.0.1", _application_logging_to_file)
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
        # What the server logged while this test ran: pytest shows it with a failure.
        if LOG.exists() and LOG.stat().st_size > self.log_from:
            with LOG.open(encoding="utf-8", errors="replace") as log:
                log.seek(self.log_from)
                sys.stdout.write("live server log:\n" + log.read())
