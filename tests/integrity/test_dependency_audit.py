"""The dependency audit step of `.ci/run` (`.ci/audit_dependencies.py`), driven with a stand-in
pip-audit that prints a canned JSON report: it fails on a vulnerability that has a fix, and
says in one line that it could not run when the vulnerability service is unreachable."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "audit_dependencies.py"


def run_audit(tmp_path, *, stdout="", stderr="", exit_code=0):
    fake = tmp_path / "pip-audit"
    fake.write_text(
        f"#!{sys.executable}\nimport sys\n"
        f"sys.stdout.write({stdout!r})\nsys.stderr.write({stderr!r})\nsys.exit({exit_code})\n"
    )
    fake.chmod(0o755)
    env = {"PIP_AUDIT": str(fake), "PIP_AUDIT_SKIP_PROBE": "1", "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, str(SCRIPT), "requirements.lock"], capture_output=True, text=True, env=env, check=False
    )


def report(*dependencies):
    return json.dumps({"dependencies": list(dependencies), "fixes": []})


def test_a_vulnerability_with_a_fix_fails_the_audit(tmp_path):
    result = run_audit(tmp_path, exit_code=1, stdout=report(
        {"name": "django", "version": "5.2.0", "vulns": [
            {"id": "PYSEC-2099-1", "fix_versions": ["5.2.99"], "aliases": [], "description": ""}]},
        {"name": "wagtail", "version": "8.0.1", "vulns": []},
    ))
    assert result.returncode == 1
    assert "VULNERABLE: django 5.2.0: PYSEC-2099-1 (fixed in 5.2.99)" in result.stdout


def test_a_vulnerability_without_a_fix_is_a_warning_only(tmp_path):
    result = run_audit(tmp_path, exit_code=1, stdout=report(
        {"name": "pillow", "version": "12.0.0", "vulns": [{"id": "GHSA-x", "fix_versions": [], "aliases": []}]},
    ))
    assert result.returncode == 0
    assert "warning: pillow 12.0.0: GHSA-x (no fixed version yet)" in result.stdout


def test_a_clean_audit_passes(tmp_path):
    result = run_audit(tmp_path, stdout=report({"name": "django", "version": "5.2.0", "vulns": []}))
    assert result.returncode == 0
    assert "1 pinned packages audited" in result.stdout


@pytest.mark.parametrize("case", ["nothing_found_on_pypi", "connection_error"])
def test_an_unreachable_service_says_so_in_one_line_without_failing(tmp_path, case):
    if case == "nothing_found_on_pypi":
        # What pip-audit's PyPI service prints offline: every package "not found", exit 0.
        result = run_audit(tmp_path, stdout=report(
            {"name": "django", "skip_reason": "Dependency not found on PyPI and could not be audited: django (5.2)"},
            {"name": "wagtail", "skip_reason": "Dependency not found on PyPI and could not be audited: wagtail (8)"},
        ))
    else:
        result = run_audit(tmp_path, exit_code=1, stderr=(
            "Traceback (most recent call last):\nrequests.exceptions.ConnectionError: "
            "HTTPSConnectionPool(host='api.osv.dev', port=443): Max retries exceeded\n"
        ))
    assert result.returncode == 0
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("pip-audit: the dependency audit could not run:")
    assert "nothing was audited" in lines[0]


def test_an_unexpected_pip_audit_failure_fails_the_step(tmp_path):
    result = run_audit(tmp_path, exit_code=2, stderr="pip-audit: error: invalid requirements file\n")
    assert result.returncode == 1
    assert "invalid requirements file" in result.stderr
