"""Two server processes on the in-memory channel layer and one database (a misconfiguration:
a vote through one never reaches the other's sockets) are reported at start."""

import os
import subprocess
import sys
import time
from pathlib import Path

from .servers import free_port

ROOT = Path(__file__).resolve().parents[2]
MESSAGE = "Another process"


def start_daphne(var_dir: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(ATELIER_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="workshop_site.settings.test",
               PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(free_port()), "workshop_site.asgi:application"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )


def serving(process: subprocess.Popen, var_dir: Path) -> None:
    """Wait until the process has loaded the application (it holds the lock then)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(var_dir.glob("live-in-memory-*.lock")):
        assert process.poll() is None, process.stderr.read()
        time.sleep(0.1)
    lock = next(var_dir.glob("live-in-memory-*.lock"))
    while time.monotonic() < deadline and lock.read_text().strip() != str(process.pid):
        time.sleep(0.1)


def test_a_second_process_on_the_in_memory_layer_is_reported_at_start(tmp_path):
    first = start_daphne(tmp_path)
    second = None
    try:
        serving(first, tmp_path)
        second = start_daphne(tmp_path)
        line = ""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and MESSAGE not in line:
            line = second.stderr.readline()
            assert line or second.poll() is None, "the second process ended without reporting"
        assert MESSAGE in line and f"pid {first.pid}" in line and "REDIS_URL" in line
    finally:
        for process in (first, second):
            if process is not None:
                process.terminate()
                process.wait(timeout=10)
                process.stderr.close()


def test_one_process_alone_reports_nothing(tmp_path):
    alone = start_daphne(tmp_path)
    try:
        serving(alone, tmp_path)
    finally:
        alone.terminate()
        alone.wait(timeout=10)
        output = alone.stderr.read()
        alone.stderr.close()
    assert MESSAGE not in output
