"""Rebuild tests/upgrade/fixtures/main-<commit>/: the demo database of an older commit, as SQL
for SQLite and for PostgreSQL, and the demo's pictures (see the README in that folder).

    .venv/bin/python tests/upgrade/make_fixtures.py --commit 1fd356a \
        --postgres postgres://postgres@127.0.0.1:5432/postgres

It checks the commit out with `git archive` into a temporary folder and runs that commit's own
`manage.py migrate` and `seed_demo` (with this .venv's Python), once on a new SQLite file and
once on a new PostgreSQL database (created and dropped here), then dumps both. Nothing in the
working tree is touched but the fixture folder. Not a test: pytest does not collect it.
"""

import argparse
import gzip
import io
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DEMO_PASSWORD = "atelier-demo"
SCRATCH_DATABASE = "atelier_upgrade_fixture"


def say(message: str) -> None:
    sys.stderr.write(f"==> {message}\n")


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise SystemExit(f"{name} is not on PATH; it is needed to build the fixtures.")
    return path


def export_commit(commit: str, dest: Path) -> str:
    """The commit's files (as `git archive` gives them) under dest; returns its short hash."""
    short = subprocess.run(
        [tool("git"), "-C", str(REPO), "rev-parse", "--short=7", commit],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    archive = subprocess.run(
        [tool("git"), "-C", str(REPO), "archive", commit],
        check=True, capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")  # Python >= 3.11.4
    return short


def seed(tree: Path, *, database_url: str, var_dir: Path) -> Path:
    """`manage.py migrate` and `seed_demo` of the old tree; returns its MEDIA_ROOT."""
    media = var_dir / "media"
    media.mkdir(parents=True)
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "CHANNELS_PREFIX"}}
    env.update(
        DJANGO_SETTINGS_MODULE="workshop_site.settings.dev",
        DJANGO_DEBUG="1",
        DATABASE_URL=database_url,
        ATELIER_VAR_DIR=str(var_dir),
        MEDIA_ROOT=str(media),
        DEMO_PASSWORD=DEMO_PASSWORD,
    )
    for command in (["migrate", "--no-input", "-v0"], ["seed_demo"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=tree, env=env, check=True)
    return media


def dump_sqlite(path: Path) -> str:
    """Python's iterdump(), minus its rows for virtual tables: it writes them as INSERTs into
    the FTS5 table itself, which fail on load (the table is declared through writable_schema,
    and its rows are already in the shadow tables `<name>_data`, `_content`, ... it also dumps)."""
    connection = sqlite3.connect(path)
    virtual = [
        name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'"
        )
    ]
    skip = tuple(f'INSERT INTO "{name}" VALUES(' for name in virtual)
    lines = [line for line in connection.iterdump() if not (skip and line.startswith(skip))]
    connection.close()
    return "\n".join(lines) + "\n"


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def dump_postgres(url: str) -> str:
    """pg_dump's plain SQL with one INSERT per row, without owners and grants, and without the
    `\\restrict` / `\\unrestrict` lines (psql meta-commands with a random key; the test loads
    the file through psycopg, and they would make each dump differ)."""
    parts = urlsplit(url)
    env = dict(os.environ)
    if parts.password:
        env["PGPASSWORD"] = parts.password
    text = subprocess.run(
        [
            tool("pg_dump"), "--inserts", "--no-owner", "--no-privileges",
            "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432),
            "-U", parts.username or "postgres", parts.path.lstrip("/"),
        ],
        check=True, capture_output=True, text=True, env=env,
    ).stdout
    return re.sub(r"(?m)^\\(un)?restrict .*\n", "", text)


def media_tarball(media: Path, dest: Path) -> None:
    """The original pictures only (renditions regenerate), with fixed owners and times so
    that rebuilding from the same commit gives the same bytes."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for path in sorted(media.rglob("*")):
            relative = path.relative_to(media)
            if relative.parts[0] != "original_images":
                continue
            info = tar.gettarinfo(path, arcname=relative.as_posix())
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mtime = 0
            info.mode = 0o755 if path.is_dir() else 0o644
            if path.is_dir():
                tar.addfile(info)
            else:
                with path.open("rb") as handle:
                    tar.addfile(info, handle)
    with dest.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(buffer.getvalue())


def same_files(a: Path, b: Path) -> bool:
    def listing(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    return listing(a) == listing(b)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commit", default="1fd356a")
    parser.add_argument(
        "--postgres", default="postgres://postgres@127.0.0.1:5432/postgres",
        help="any database on the server; a scratch database is created beside it and dropped",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="atelier-upgrade-fixture-") as tmp:
        work = Path(tmp)
        tree = work / "tree"
        short = export_commit(args.commit, tree)
        out = FIXTURES / f"main-{short}"
        out.mkdir(parents=True, exist_ok=True)

        say(f"SQLite: migrate and seed_demo at {short}")
        sqlite_file = work / "sqlite" / "demo.sqlite3"
        sqlite_media = seed(tree, database_url=f"sqlite:///{sqlite_file}", var_dir=work / "sqlite")
        (out / "sqlite.sql").write_text(dump_sqlite(sqlite_file), encoding="utf-8")

        say(f"PostgreSQL: migrate and seed_demo at {short} in {SCRATCH_DATABASE}")
        with psycopg.connect(args.postgres, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(SCRATCH_DATABASE)))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(SCRATCH_DATABASE)))
        scratch = with_database(args.postgres, SCRATCH_DATABASE)
        try:
            postgres_media = seed(tree, database_url=scratch, var_dir=work / "postgres")
            (out / "postgres.sql").write_text(dump_postgres(scratch), encoding="utf-8")
        finally:
            with psycopg.connect(args.postgres, autocommit=True) as admin:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(SCRATCH_DATABASE))
                )

        if not same_files(sqlite_media, postgres_media):
            raise SystemExit("The two demo runs wrote different pictures; one media.tar.gz cannot serve both.")
        media_tarball(sqlite_media, out / "media.tar.gz")
        shutil.rmtree(tree)

    for path in sorted(out.iterdir()):
        say(f"{path.relative_to(REPO)}: {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
