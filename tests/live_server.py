"""Real daphne processes serving the real ASGI application on the test database."""

from functools import partial

from channels.testing.live import make_application
from daphne.testing import DaphneProcess
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.db import connections


class LiveServer:
    def __init__(self):
        # The child is forked: it must not inherit an open database connection. It inherits
        # the settings as the test run left them, already naming the test database.
        connections.close_all()
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
