import logging

import pytest

from tests.factories import WorkshopPageFactory
from tests.faults.servers import Daphne
from tests.ideas.factories import IdeaFactory


@pytest.fixture
def hostile_room(tree):
    """A live workshop in phase `ideas` with two ideas (code HOST1)."""
    workshop = WorkshopPageFactory(
        parent=tree["workshop_index"], title="Sala ostilă", join_code="HOST1", phase="ideas", dots_per_participant=5,
    )
    ideas = [IdeaFactory(workshop=workshop, text=f"Ideea {n}") for n in range(2)]
    return workshop, ideas


@pytest.fixture
def server_log(tmp_path):
    """Every log record of WARNING and above the server process writes, one file (a handler on
    the root logger before the fork, inherited by the child). `read()` gives its lines."""
    path = tmp_path / "server.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("LOG %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)

    class Log:
        def read(self) -> list[str]:
            handler.flush()
            return path.read_text(encoding="utf-8").splitlines()

    yield Log()
    root.removeHandler(handler)
    handler.close()


@pytest.fixture
def hostile_server(hostile_room, server_log, settings):
    """A real daphne process (the defaults of `daphne -b … -p …`: 1 MiB message and frame
    limits) serving the room; the message limiter is widened so that every hostile frame is
    read (set before the fork, so the server has it)."""
    settings.ATELIER_RATE_LIMITS = {
        **settings.ATELIER_RATE_LIMITS, "socket_message_session": (10_000, 3), "socket_message_ip": (10_000, 3),
    }
    server = Daphne()
    yield server
    server.stop()
