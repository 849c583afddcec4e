"""An unreachable Redis is one clear line, not a traceback storm."""

import logging

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from workshop_site.core.checks import check_channel_layer, report_channel_layer

DEAD_REDIS = "redis://:secret@127.0.0.1:1/0"
REDIS_LAYER = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [DEAD_REDIS]}}}


@override_settings(CHANNEL_LAYERS=REDIS_LAYER)
def test_check_reports_unreachable_redis_as_one_error_without_the_password(monkeypatch):
    monkeypatch.setenv("REDIS_URL", DEAD_REDIS)
    errors = check_channel_layer()
    assert [e.id for e in errors] == ["atelier.E001"]
    assert "redis://:***@127.0.0.1:1/0" in errors[0].msg
    assert "secret" not in errors[0].msg
    assert "unset REDIS_URL" in errors[0].hint


@override_settings(CHANNEL_LAYERS=REDIS_LAYER)
def test_manage_py_check_fails_when_redis_is_down(monkeypatch):
    monkeypatch.setenv("REDIS_URL", DEAD_REDIS)
    with pytest.raises(SystemCheckError, match="atelier.E001"):
        call_command("check")


def test_daphne_start_logs_one_line_when_redis_is_down(monkeypatch, caplog):
    monkeypatch.setenv("REDIS_URL", DEAD_REDIS)
    with caplog.at_level(logging.INFO, logger="atelier.startup"):
        assert report_channel_layer() is False
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "unreachable" in errors[0].getMessage()
    assert errors[0].exc_info is None


def test_in_memory_layer_needs_no_redis(monkeypatch, caplog):
    monkeypatch.delenv("REDIS_URL", raising=False)
    with caplog.at_level(logging.INFO, logger="atelier.startup"):
        assert report_channel_layer() is True
    assert "in-memory channel layer" in caplog.text
    assert check_channel_layer() == []
