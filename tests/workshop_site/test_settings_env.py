"""Configuration comes from the environment exactly as README 'Configuration' says."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from workshop_site.settings.env import (
    cache_from_env,
    channel_layers_from_env,
    database_from_env,
    env_bool,
)

ROOT = Path(__file__).resolve().parents[2]


def test_no_database_url_means_sqlite_under_var_in_wal_with_immediate_transactions(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = database_from_env(tmp_path / "atelier.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "atelier.sqlite3")
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert config["OPTIONS"]["timeout"] >= 10
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


def test_postgres_database_url_is_used_with_health_checks(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://atelier:secret@127.0.0.1:5432/atelier")
    config = database_from_env(tmp_path / "unused.sqlite3")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "atelier"
    assert config["HOST"] == "127.0.0.1"
    assert config["PORT"] == 5432
    assert config["CONN_HEALTH_CHECKS"] is True


def test_sqlite_database_url_keeps_the_embedded_tuning(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/other.sqlite3")
    config = database_from_env(tmp_path / "unused.sqlite3")
    assert config["NAME"] == f"{tmp_path}/other.sqlite3"
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url at all", "DATABASE_URL"),
        ("mysql://root@127.0.0.1/atelier", "SQLite (embedded) or PostgreSQL"),
        ("postgres://127.0.0.1:5432/", "names no database"),
        ("postgres://user@127.0.0.1:notaport/atelier", "DATABASE_URL could not be parsed"),
    ],
)
def test_bad_database_url_is_a_clear_error_naming_the_variable(monkeypatch, tmp_path, url, message):
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        database_from_env(tmp_path / "unused.sqlite3")


def test_no_redis_url_means_in_memory_layer_and_local_cache(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert channel_layers_from_env()["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"
    assert cache_from_env()["default"]["BACKEND"].endswith("LocMemCache")


def test_redis_url_means_channels_redis_and_a_shared_cache(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/2")
    layer = channel_layers_from_env()["default"]
    assert layer["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    assert layer["CONFIG"]["hosts"][0]["address"] == "redis://127.0.0.1:6379/2"
    assert layer["CONFIG"]["capacity"] > 100
    assert cache_from_env()["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"


def test_a_redis_url_that_is_not_redis_is_refused(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "http://127.0.0.1:6379")
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        channel_layers_from_env()


def test_booleans_are_strict(monkeypatch):
    monkeypatch.setenv("DJANGO_DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DJANGO_DEBUG"):
        env_bool("DJANGO_DEBUG", False)
    monkeypatch.setenv("DJANGO_DEBUG", "Yes")
    assert env_bool("DJANGO_DEBUG", False) is True


@pytest.mark.django_db
def test_the_running_suite_uses_the_database_and_layer_the_environment_names():
    """So the PostgreSQL + Redis pass of .ci/run really runs on them."""
    url = os.environ.get("DATABASE_URL", "")
    assert connection.vendor == ("postgresql" if url.startswith("postgres") else "sqlite")
    backend = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    if os.environ.get("REDIS_URL"):
        assert backend == "channels_redis.core.RedisChannelLayer"
    else:
        assert backend == "channels.layers.InMemoryChannelLayer"
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"


def run_manage(*args, env_overrides: dict, drop: tuple = ()) -> subprocess.CompletedProcess:
    drop = (*drop, "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "workshop_site.settings.production",
    "DJANGO_SECRET_KEY": "x7Lq2vN9pR4tW8yB3mK6cF1hJ5sD0gZaQeUiOoPlXnVbTrYw-Hs8Kd3Lm",
    "DJANGO_ALLOWED_HOSTS": "atelier.example.md",
}


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_a_required_variable(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = run_manage("check", env_overrides=env, drop=(missing,))
    assert result.returncode != 0
    assert f"{missing} must be set in production" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_a_wildcard_host():
    result = run_manage("check", env_overrides={**PRODUCTION, "DJANGO_ALLOWED_HOSTS": "*"})
    assert result.returncode != 0
    assert "not '*'" in result.stderr


def test_production_settings_pass_check_deploy_without_any_warning():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_an_unparsable_database_url_stops_manage_py_with_a_clear_message():
    result = run_manage("check", env_overrides={"DATABASE_URL": "postgres://u@host:port/db"})
    assert result.returncode != 0
    assert result.stderr.startswith("Configuration error: DATABASE_URL could not be parsed")
    assert "Traceback" not in result.stderr
