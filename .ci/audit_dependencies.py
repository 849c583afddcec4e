"""Audit the pinned dependencies with pip-audit; called by `.ci/run`.

Fails (exit 1) on a known vulnerability that has a fixed version, and lists the ones without a
fix as warnings. When the vulnerability service cannot be reached, prints one line saying the
audit could not run and why, and exits 0: a CI machine without internet access still runs the
rest of the checks (docs/operations.md, "Dependency audit").

pip-audit's PyPI service does not fail when it is unreachable: it reports every package as
"not found on PyPI" and says "no known vulnerabilities", so this script reads its JSON report
and treats "nothing could be audited" as "could not run", never as a pass.

Usage: .venv/bin/python .ci/audit_dependencies.py requirements.lock requirements-dev.lock
The PIP_AUDIT environment variable names the pip-audit executable (default: next to python).
"""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

SERVICE_HOSTS = {"pypi": "pypi.org", "osv": "api.osv.dev"}
UNREACHABLE_MARKERS = ("not found on PyPI", "Connection", "NameResolution", "Max retries", "timed out")


def _reachability(service: str) -> str | None:
    """Why the service's host cannot be reached, or None when its name resolves and a TCP
    connection opens."""
    host = SERVICE_HOSTS[service]
    try:
        with socket.create_connection((host, 443), timeout=5):
            return None
    except socket.gaierror as exc:
        return f"name resolution of {host} failed ({exc.strerror or exc})"
    except OSError as exc:
        return f"cannot connect to {host}:443 ({exc.strerror or exc})"


def say(line: str) -> None:
    sys.stdout.write(line + "\n")


def _could_not_run(why: str) -> int:
    say(f"pip-audit: the dependency audit could not run: {why}; nothing was audited.")
    return 0


def main(argv: list[str]) -> int:
    lock_files = argv or ["requirements.lock", "requirements-dev.lock"]
    service = os.environ.get("PIP_AUDIT_SERVICE", "pypi")
    executable = os.environ.get("PIP_AUDIT") or str(Path(sys.executable).with_name("pip-audit"))
    command = [executable, "--vulnerability-service", service, "--format", "json", "--progress-spinner", "off",
               "--no-deps", "--disable-pip", "--timeout", "20"]
    for lock_file in lock_files:
        command += ["--requirement", lock_file]

    if os.environ.get("PIP_AUDIT_SKIP_PROBE") != "1":
        why = _reachability(service)
        if why:
            return _could_not_run(f"the vulnerability service is unreachable, {why}")

    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 - our own argv
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        error = (result.stderr.strip().splitlines() or ["no output"])[-1]
        if any(marker in result.stderr for marker in UNREACHABLE_MARKERS):
            return _could_not_run(f"the vulnerability service is unreachable ({error[:200]})")
        sys.stderr.write(f"pip-audit failed (exit {result.returncode}): {error[:500]}\n")
        return 1

    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = [d for d in dependencies if not d.get("skip_reason")]
    if dependencies and not audited:
        reason = skipped[0]["skip_reason"]
        return _could_not_run(f"the vulnerability service answered for no package (e.g. {reason})")

    fixable, unfixed = [], []
    for dependency in audited:
        for vuln in dependency.get("vulns", []):
            line = f"{dependency['name']} {dependency['version']}: {vuln['id']}"
            if vuln.get("fix_versions"):
                fixable.append(f"{line} (fixed in {', '.join(vuln['fix_versions'])})")
            else:
                unfixed.append(f"{line} (no fixed version yet)")
    for dependency in skipped:
        say(f"pip-audit: not audited: {dependency['name']} {dependency.get('version', '')}: {dependency['skip_reason']}")
    for line in unfixed:
        say(f"pip-audit: warning: {line}")
    for line in fixable:
        say(f"pip-audit: VULNERABLE: {line}")
    if fixable:
        say(f"pip-audit: {len(fixable)} known vulnerabilities with a fix; update the lock files (make lock).")
        return 1
    say(f"pip-audit: {len(audited)} pinned packages audited, no known vulnerability with a fix.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
