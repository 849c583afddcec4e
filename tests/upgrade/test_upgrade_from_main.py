"""An existing database upgrades without loss.

The demo database as commit 1fd356a (main before this change) left it, in fixtures/ (see its
README), is loaded into a brand-new database of the engine under test: SQLite by default,
PostgreSQL when DATABASE_URL is postgres:// (the second pass of .ci/run). The current code's
`manage.py migrate` then upgrades it in a subprocess, and inspect_site.py (another subprocess
of the current code) reports what the site holds and answers. Every page, idea, vote,
prototype, feedback and plan item the old database had must still be there, and be shown.

What the old database held is read from it with plain SQL before migrating: its schema is
the fixture's, fixed for good, so these queries never change with the models.
"""

import html
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "main-1fd356a"
OLD = "1fd356a"
DEMO_LOGIN = ("facilitator", "atelier-demo")  # the password make_fixtures.py seeded with
SUBPROCESS_TIMEOUT = 600

# A model of the domain or foundation apps whose table the 1fd356a database does not have:
# say here how many rows it must hold right after the upgrade (e.g. 0, or what a data
# migration fills in from the old rows), so no new model is left out unseen.
NEW_SINCE_FIXTURE: dict[str, int] = {
    # Issue #17, the run of show: each room's board became its first activity, a brainstorm
    # (ideas/migrations/0005_boards_become_brainstorms.py); the 1fd356a demo has two rooms,
    # KICK16 and DEMO29 (whose Russian page, 9RAL3R, is the same room). Nothing else is new.
    "ideas.Activity": 2,
    "ideas.PollOption": 0,
    "ideas.ScaleStatement": 0,
    "ideas.PollAnswer": 0,
    "ideas.PollAnswer_options": 0,
    "ideas.ScaleRating": 0,
    "ideas.WordEntry": 0,
    "ideas.HiddenWord": 0,
    # Each brainstorm's own budget (ideas/migrations/0006_brainstorm_budgets.py): one per
    # participant of the two rooms, holding the dots they had left.
    "ideas.DotBudget": 19,
    # Issue #18: tables are new and none is made for an existing workshop (ideas/migrations/
    # 0007_tables_and_themes.py): its participants sit at no table and see the whole room, as
    # before; nor is any theme.
    "ideas.Table": 0,
    "ideas.Theme": 0,
}
# A 1fd356a table of those apps that no current model uses any more: say which current
# model (label) now holds its rows, so a dropped table is a decision and not a loss.
MOVED_SINCE_FIXTURE: dict[str, str] = {}
# The old tables of the domain and foundation apps, by their app label's prefix.
OLD_APP_PREFIXES = ("ideas_", "prototypes_", "feedback_", "plans_", "core_", "users_", "home_", "offices_", "workshops_")

# The addresses the issue names, beside every live page of the tree.
NAMED_URLS = (
    "/w/DEMO29/",
    "/w/DEMO29/results/",
    "/w/KICK16/results/",
    "/api/workshops/DEMO29/state",
    "/api/workshops/KICK16/results",
    "/api/prototypes/maternitate-online",
    "/p/maternitate-online/",
    "/services/indemnizatia-de-maternitate/",
    "/api/services/indemnizatia-de-maternitate/maps",
    "/api/offices/rezina/plan",
)
FACILITATOR_URLS = ("/admin/", "/plans/overview/", "/w/DEMO29/present/")


# --- the scratch database ---------------------------------------------------------------------

def _engine() -> str:
    scheme = urlsplit(os.environ.get("DATABASE_URL", "").strip()).scheme
    return "postgresql" if scheme.startswith("postgres") else "sqlite"


class SqliteScratch:
    engine = "sqlite"

    def __init__(self, tmp: Path):
        self.path = tmp / "upgraded.sqlite3"

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def create(self) -> None:
        assert not self.path.exists()

    def load(self, script: str) -> None:
        connection = sqlite3.connect(self.path)
        try:
            connection.executescript(script)
        finally:
            connection.close()

    def rows(self, query: str) -> list[tuple]:
        connection = sqlite3.connect(self.path)
        try:
            return connection.execute(query).fetchall()
        finally:
            connection.close()

    def tables(self) -> list[str]:
        return [name for (name,) in self.rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]

    def drop(self) -> None:
        pass  # the tmp folder goes with it


class PostgresScratch:
    """CREATE DATABASE with a name of its own on the server DATABASE_URL names; dropped after."""

    engine = "postgresql"

    def __init__(self, tmp: Path):
        self.server_url = os.environ["DATABASE_URL"].strip()
        self.name = f"atelier_upgrade_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        self.url = urlunsplit(urlsplit(self.server_url)._replace(path=f"/{self.name}"))

    def _admin(self):
        """A connection to the server: to DATABASE_URL's own database, else to `postgres`
        (pytest-django needs only the server, so the named database may not exist)."""
        import psycopg

        errors = []
        for url in (self.server_url, urlunsplit(urlsplit(self.server_url)._replace(path="/postgres"))):
            try:
                return psycopg.connect(url, autocommit=True, connect_timeout=10)
            except psycopg.OperationalError as exc:
                errors.append(str(exc).strip())
        pytest.fail(
            "The PostgreSQL pass needs the PostgreSQL server DATABASE_URL names, and cannot reach it: "
            + " / ".join(errors)
        )

    def create(self) -> None:
        from psycopg import sql

        with self._admin() as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))

    def _connect(self):
        import psycopg

        return psycopg.connect(self.url, autocommit=True, connect_timeout=10)

    def load(self, script: str) -> None:
        # One simple-protocol query: the whole dump runs as one implicit transaction.
        with self._connect() as connection:
            connection.execute(script)

    def rows(self, query: str) -> list[tuple]:
        with self._connect() as connection:
            return connection.execute(query).fetchall()

    def tables(self) -> list[str]:
        return [name for (name,) in self.rows("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]

    def drop(self) -> None:
        from psycopg import sql

        with self._admin() as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))


# --- what the old database held ------------------------------------------------------------------

def old_url(url_path: str, language: str) -> str:
    """The address a page had: its path under the site's root page, under /ru/ or /en/ unless
    it is in the default language (Romanian)."""
    below_root = url_path.split("/", 2)[2]  # "/home/birouri/" -> "birouri/"
    prefix = "" if language == "ro" else f"/{language}"
    return f"{prefix}/{below_root}"


def read_old(db) -> dict:
    """What the 1fd356a database holds, with plain SQL on its own (fixed) schema."""
    old: dict = {"tables": {table: db.rows(f'SELECT COUNT(*) FROM "{table}"')[0][0] for table in db.tables()}}  # noqa: S608
    old["pages"] = [
        {"id": pk, "title": title, "url_path": url_path, "live": bool(live), "depth": depth, "locale": language, "type": kind}
        for pk, title, url_path, live, depth, language, kind in db.rows(
            "SELECT p.id, p.title, p.url_path, p.live, p.depth, l.language_code, ct.app_label || '.' || ct.model"
            " FROM wagtailcore_page p JOIN wagtailcore_locale l ON l.id = p.locale_id"
            " JOIN django_content_type ct ON ct.id = p.content_type_id ORDER BY p.path"
        )
    ]
    old["workshops"] = {
        code: {"title": title, "phase": phase}
        for code, title, phase in db.rows(
            "SELECT w.join_code, p.title, w.phase FROM workshops_workshoppage w JOIN wagtailcore_page p ON p.id = w.page_ptr_id"
        )
    }
    # The rooms: one workshop page per translation family, the Romanian one (the default
    # language's) or else the oldest, as the current code picks the page that holds the room.
    rooms: dict = {}
    for pk, code, phase, family, language in db.rows(
        "SELECT w.page_ptr_id, w.join_code, w.phase, p.translation_key, l.language_code FROM workshops_workshoppage w"
        " JOIN wagtailcore_page p ON p.id = w.page_ptr_id JOIN wagtailcore_locale l ON l.id = p.locale_id"
        " ORDER BY w.page_ptr_id"
    ):
        kept = rooms.get(family)
        if kept is None or (language == "ro" and kept["locale"] != "ro"):
            rooms[family] = {"id": pk, "code": code, "phase": phase, "locale": language}
    voting = {pk: [dots, cap, bool(blind)] for pk, dots, cap, blind in db.rows(
        "SELECT page_ptr_id, dots_per_participant, max_dots_per_idea, blind_voting FROM workshops_workshoppage")}
    dots_left = defaultdict(dict)
    for workshop_id, pk, left in db.rows("SELECT workshop_id, id, dots_left FROM ideas_participant"):
        dots_left[workshop_id][str(pk)] = left
    for room in rooms.values():
        room.update(voting=voting[room["id"]], dots_left=dots_left[room["id"]])
    old["rooms"] = sorted(rooms.values(), key=lambda room: room["id"])
    ideas: dict = defaultdict(dict)
    for code, pk, text, hidden, channel, n in db.rows(
        "SELECT w.join_code, i.id, i.text, i.hidden, v.channel, COUNT(v.id) FROM ideas_idea i"
        " JOIN workshops_workshoppage w ON w.page_ptr_id = i.workshop_id LEFT JOIN ideas_vote v ON v.idea_id = i.id"
        " GROUP BY w.join_code, i.id, i.text, i.hidden, v.channel"
    ):
        idea = ideas[code].setdefault(pk, {"text": text, "hidden": bool(hidden), "votes": 0, "by_channel": {}})
        if channel is not None:
            idea["votes"] += n
            idea["by_channel"][channel] = n
    old["ideas"] = ideas
    plans: dict = defaultdict(dict)
    for slug, plan_id, plan_title, published, item_id, item_title in db.rows(
        "SELECT o.slug, ap.id, ap.title, ap.published, a.id, a.title FROM plans_actionplan ap"
        " JOIN wagtailcore_page o ON o.id = ap.office_id LEFT JOIN plans_actionitem a ON a.plan_id = ap.id"
    ):
        plan = plans[slug].setdefault(plan_id, {"title": plan_title, "published": bool(published), "items": {}})
        if item_id is not None:
            plan["items"][item_id] = item_title
    old["plans"] = plans
    prototypes: dict = {}
    for slug, title, number, published, screen_id, screen_title, hotspots in db.rows(
        "SELECT pr.slug, pr.title, v.number, v.published, s.id, s.title,"
        " (SELECT COUNT(*) FROM prototypes_hotspot h WHERE h.screen_id = s.id)"
        " FROM prototypes_prototype pr JOIN prototypes_prototypeversion v ON v.prototype_id = pr.id"
        " LEFT JOIN prototypes_screen s ON s.version_id = v.id ORDER BY pr.slug, v.number, s.sort_order, s.id"
    ):
        prototype = prototypes.setdefault(slug, {"title": title, "versions": {}})
        version = prototype["versions"].setdefault(number, {"published": bool(published), "screens": []})
        if screen_id is not None:
            version["screens"].append({"id": screen_id, "title": screen_title, "hotspots": hotspots})
    old["prototypes"] = prototypes
    old["feedback"] = defaultdict(dict)  # (prototype, version number) -> {id: text}
    for pk, text, number, slug in db.rows(
        "SELECT f.id, f.text, v.number, pr.slug FROM feedback_feedback f"
        " JOIN prototypes_prototypeversion v ON v.id = f.version_id JOIN prototypes_prototype pr ON pr.id = v.prototype_id"
    ):
        old["feedback"][slug, number][pk] = text
    maps: dict = defaultdict(dict)
    for service, map_id, title, step in db.rows(
        "SELECT sv.slug, m.id, m.title, s.title FROM prototypes_servicemap m JOIN offices_service sv ON sv.id = m.service_id"
        " LEFT JOIN prototypes_mapstep s ON s.map_id = m.id ORDER BY sv.slug, m.sort_order, m.id, s.sort_order, s.id"
    ):
        steps = maps[service].setdefault(map_id, {"title": title, "steps": []})["steps"]
        if step is not None:
            steps.append(step)
    old["maps"] = maps
    users: dict = {}
    for username, superuser, staff, active, group in db.rows(
        "SELECT u.username, u.is_superuser, u.is_staff, u.is_active, g.name FROM users_user u"
        " LEFT JOIN users_user_groups ug ON ug.user_id = u.id LEFT JOIN auth_group g ON g.id = ug.group_id"
    ):
        user = users.setdefault(username, [username, bool(superuser), bool(staff), bool(active), []])
        if group is not None:
            user[4].append(group)
    old["users"] = sorted([*user[:4], sorted(user[4])] for user in users.values())
    old["group_permissions"] = sorted(map(list, db.rows(
        "SELECT g.name, ct.app_label, p.codename FROM auth_group_permissions gp JOIN auth_group g ON g.id = gp.group_id"
        " JOIN auth_permission p ON p.id = gp.permission_id JOIN django_content_type ct ON ct.id = p.content_type_id"
    )))
    old["page_permissions"] = sorted(map(list, db.rows(
        "SELECT g.name, pg.url_path, p.codename FROM wagtailcore_grouppagepermission gpp"
        " JOIN auth_group g ON g.id = gpp.group_id JOIN wagtailcore_page pg ON pg.id = gpp.page_id"
        " JOIN auth_permission p ON p.id = gpp.permission_id"
    )))
    old["pictures"] = dict(db.rows("SELECT id, file FROM wagtailimages_image"))
    return old


# --- the upgrade -------------------------------------------------------------------------------

def current_code_env(scratch, var_dir: Path) -> dict:
    """The subprocesses' environment: the scratch database and media only. No Redis (REDIS_URL
    would point at a shared one): in-memory channel layer and cache."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CHANNELS_PREFIX", "DJANGO_DEBUG"}}
    env.update(
        DJANGO_SETTINGS_MODULE="workshop_site.settings.test",
        DATABASE_URL=scratch.url,
        # The test settings keep MEDIA_ROOT at VAR_DIR/test-media; both name the same folder.
        ATELIER_VAR_DIR=str(var_dir),
        MEDIA_ROOT=str(var_dir / "test-media"),
        PYTHONPATH=str(REPO),
    )
    return env


def run_current_code(args: list[str], env: dict, what: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT,
    )
    if done.returncode != 0:
        pytest.fail(
            f"{what} failed on the {OLD} demo database (exit {done.returncode}):\n"
            f"--- stdout ---\n{done.stdout[-4000:]}\n--- stderr ---\n{done.stderr[-8000:]}",
        )
    return done


def unpack_media(tarball: Path, media: Path) -> None:
    """The fixture's pictures under media (regular files only, nowhere outside it)."""
    with tarfile.open(tarball) as tar:
        for member in tar.getmembers():
            target = (media / member.name).resolve()
            assert target.is_relative_to(media.resolve()), f"{member.name} would land outside MEDIA_ROOT"
            if member.isfile():
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(tar.extractfile(member).read())


def addresses_to_ask(old: dict) -> dict:
    pages = [old_url(p["url_path"], p["locale"]) for p in old["pages"] if p["live"] and p["depth"] > 1]
    offices = [f"/api/offices/{slug}/plan" for slug in sorted(old["plans"])]
    prototypes = [f"/api/prototypes/{slug}" for slug in sorted(old["prototypes"])]
    feedback = [f"/api/prototypes/{slug}/feedback?version={number}" for slug, number in sorted(old["feedback"])]
    anonymous = list(dict.fromkeys([*pages, *NAMED_URLS, *offices, *prototypes]))
    return {"anonymous": anonymous, "login": list(DEMO_LOGIN), "logged_in": [*FACILITATOR_URLS, *feedback]}


@pytest.fixture(scope="module")
def upgrade(tmp_path_factory):
    """The fixture loaded into a new database, migrated by the current code, then inspected:
    {"old": what it held before, "new": what inspect_site.py reports after, ...}."""
    tmp = tmp_path_factory.mktemp("upgrade")
    engine = _engine()
    scratch = PostgresScratch(tmp) if engine == "postgresql" else SqliteScratch(tmp)
    dump = FIXTURE / ("postgres.sql" if engine == "postgresql" else "sqlite.sql")
    assert dump.is_file(), f"the {OLD} fixture {dump} is missing (see {FIXTURE / 'README.md'})"

    scratch.create()
    try:
        scratch.load(dump.read_text(encoding="utf-8"))
        old = read_old(scratch)
        var_dir = tmp / "var"
        media = var_dir / "test-media"
        media.mkdir(parents=True)
        unpack_media(FIXTURE / "media.tar.gz", media)
        env = current_code_env(scratch, var_dir)
        migrated = run_current_code(["manage.py", "migrate", "--no-input"], env, "manage.py migrate")
        asked = tmp / "asked.json"
        asked.write_text(json.dumps(addresses_to_ask(old)), encoding="utf-8")
        report = tmp / "report.json"
        run_current_code(["-m", "tests.upgrade.inspect_site", str(asked), str(report)], env, "Reading the upgraded site")
        new = json.loads(report.read_text(encoding="utf-8"))
        yield {"engine": engine, "scratch": scratch, "media": media, "old": old, "new": new, "migrate_output": migrated.stdout}
    finally:
        scratch.drop()
        shutil.rmtree(tmp, ignore_errors=True)


# --- the checks --------------------------------------------------------------------------------

def test_the_upgrade_ran_on_a_scratch_database_of_the_engine_under_test(upgrade):
    settings = upgrade["new"]["settings"]
    assert settings["engine"] == upgrade["engine"]
    scratch = upgrade["scratch"]
    assert settings["database"] == (str(scratch.path) if scratch.engine == "sqlite" else scratch.name)
    assert Path(settings["media_root"]) == upgrade["media"]
    assert upgrade["new"]["unapplied_migrations"] == [], "migrate left migrations unapplied"


def test_every_row_of_every_domain_model_is_still_there(upgrade):
    old_tables, models = upgrade["old"]["tables"], upgrade["new"]["models"]
    problems = []
    for model in models:
        label, table, count = model["label"], model["table"], model["count"]
        if table in old_tables:
            expected = old_tables[table] + sum(
                old_tables[old] for old, holder in MOVED_SINCE_FIXTURE.items() if holder == label
            )
        elif label in NEW_SINCE_FIXTURE:
            expected = NEW_SINCE_FIXTURE[label]
        else:
            problems.append(
                f"{label} (table {table}) is not in the {OLD} database: add it to NEW_SINCE_FIXTURE with the "
                "rows it must hold after the upgrade"
            )
            continue
        if count != expected:
            problems.append(f"{label}: {expected} rows before the upgrade, {count} after ({table})")
    current_tables = {model["table"] for model in models}
    for table in sorted(old_tables):
        if table.startswith(OLD_APP_PREFIXES) and table not in current_tables and table not in MOVED_SINCE_FIXTURE:
            problems.append(
                f"the {OLD} table {table} ({old_tables[table]} rows) belongs to no current model: its rows are "
                "lost unless MOVED_SINCE_FIXTURE says which model holds them now"
            )
    assert not problems, "After the upgrade:\n  " + "\n  ".join(problems)
    # The list, by name, so none of them is counted by accident as an empty table.
    counted = {model["label"]: model["count"] for model in models}
    for label in (
        "wagtailcore.Page", "offices.OfficePage", "offices.OfficeProvider", "offices.Service", "workshops.WorkshopPage",
        "ideas.Idea", "ideas.Vote", "ideas.Participant", "prototypes.Prototype", "prototypes.PrototypeVersion",
        "prototypes.Screen", "prototypes.Hotspot", "prototypes.ServiceMap", "prototypes.MapStep",
        "feedback.Feedback", "feedback.TestTask", "feedback.TaskRun", "feedback.Tap", "plans.ActionPlan",
        "plans.ActionItem", "plans.ItemUpdate", "plans.Milestone", "users.User", "auth.Group", "wagtailimages.Image",
    ):
        assert counted.get(label, 0) > 0, f"{label} is empty after the upgrade, or no longer counted"
    assert "ideas.TallySheet" in counted, "tally sheets are no longer counted"


def test_every_page_keeps_its_place_title_language_and_type(upgrade):
    new = {page["id"]: page for page in upgrade["new"]["pages"]}
    for page in upgrade["old"]["pages"]:
        where = f"page {page['id']} {page['title']!r} ({page['url_path']}, {page['locale']})"
        assert page["id"] in new, f"{where} is gone after the upgrade"
        after = new[page["id"]]
        before = {key: page[key] for key in ("title", "url_path", "live", "depth", "locale", "type")}
        assert {key: after[key] for key in before} == before, f"{where} changed in the upgrade"
        assert after["class_found"], f"{where}: its page type {page['type']} has no model any more"
    assert len(new) == len(upgrade["old"]["pages"]), "the upgrade added or removed pages"
    types = Counter(page["type"] for page in upgrade["old"]["pages"])
    assert types["offices.officepage"] == 6 and types["workshops.workshoppage"] == 3  # the demo, in ro and ru


def test_every_live_page_answers_at_its_address_in_each_language(upgrade):
    answers = upgrade["new"]["requests"]["anonymous"]
    new_urls = {page["id"]: page["url"] for page in upgrade["new"]["pages"]}
    languages = set()
    for page in upgrade["old"]["pages"]:
        if not page["live"] or page["depth"] < 2:
            continue
        url = old_url(page["url_path"], page["locale"])
        languages.add(page["locale"])
        assert new_urls[page["id"]] == url, f"{page['title']!r} moved from {url} to {new_urls[page['id']]}"
        got = answers[url]
        assert got["status"] == 200, f"{url} ({page['title']!r}) answers {got['status']} after the upgrade"
        assert page["title"] in html.unescape(got["text"]), f"{url} no longer shows its title {page['title']!r}"
    assert languages == {"ro", "ru"}


@pytest.mark.parametrize("url", NAMED_URLS)
def test_the_demo_addresses_answer(upgrade, url):
    got = upgrade["new"]["requests"]["anonymous"][url]
    assert got["status"] == 200, f"{url} answers {got['status']} after the upgrade (Location: {got['location']})"


def test_the_kickoff_results_keep_every_idea_with_its_votes(upgrade):
    old = upgrade["old"]
    assert old["tables"]["ideas_tallyline"] == 0, "the fixture has paper tallies: count them in the expected votes"
    answers = upgrade["new"]["requests"]["anonymous"]
    results = answers["/api/workshops/KICK16/results"]["json"]
    assert results["workshop"] == {"code": "KICK16", **old["workshops"]["KICK16"]}
    shown = {idea["id"]: idea for idea in results["ideas"]}
    expected = {pk: idea for pk, idea in old["ideas"]["KICK16"].items() if not idea["hidden"]}
    assert sorted(shown) == sorted(expected), "the results list other ideas than before the upgrade"
    for pk, idea in expected.items():
        got = shown[pk]
        assert got["text"] == idea["text"]
        assert got["votes"] == idea["votes"], f"idea {idea['text']!r} had {idea['votes']} votes, now shows {got['votes']}"
        for channel, n in idea["by_channel"].items():
            assert got["votes_by_channel"][channel] == n, f"idea {idea['text']!r}: {channel} votes {n} -> {got['votes_by_channel']}"
    assert sum(i["votes"] for i in shown.values()) == old["tables"]["ideas_vote"] - sum(
        i["votes"] for code, ideas in old["ideas"].items() if code != "KICK16" for i in ideas.values()
    )
    page = html.unescape(answers["/w/KICK16/results/"]["text"])
    for idea in expected.values():
        assert idea["text"] in page, f"/w/KICK16/results/ no longer shows {idea['text']!r}"


def test_the_live_workshop_keeps_its_room(upgrade):
    old = upgrade["old"]
    answers = upgrade["new"]["requests"]["anonymous"]
    state = answers["/api/workshops/DEMO29/state"]["json"]
    assert {key: state["workshop"][key] for key in ("code", "title", "phase")} == {"code": "DEMO29", **old["workshops"]["DEMO29"]}
    expected = {pk: idea for pk, idea in old["ideas"]["DEMO29"].items() if not idea["hidden"]}
    assert {idea["id"]: idea["text"] for idea in state["ideas"]} == {pk: idea["text"] for pk, idea in expected.items()}
    for idea in state["ideas"]:
        if idea["votes"] is not None:
            assert idea["votes"] == expected[idea["id"]]["votes"]
    for url in ("/w/DEMO29/", "/w/DEMO29/results/"):
        assert old["workshops"]["DEMO29"]["title"] in html.unescape(answers[url]["text"]), f"{url} lost the workshop's title"


def test_every_room_becomes_one_current_brainstorm_holding_its_ideas_and_their_votes(upgrade):
    """The board of each room of the fixture is now its run of show's only activity: a
    brainstorm, current, in the room's phase, holding every idea of the room (hidden ones too),
    each with all its votes; the translations of a room hold no activity of their own."""
    old = upgrade["old"]
    pages = {page["id"]: page for page in upgrade["new"]["rooms"]}
    assert len(old["rooms"]) == NEW_SINCE_FIXTURE["ideas.Activity"], "the fixture's rooms are not the ones counted"
    for room in old["rooms"]:
        after = pages[room["id"]]
        where = f"room {room['code']} (page {room['id']})"
        assert [(a["kind"], a["is_current"], a["phase"], a["position"]) for a in after["activities"]] == [
            ("brainstorm", True, room["phase"], 0)
        ], f"{where}: its run of show after the upgrade is {after['activities']}"
        assert after["phase"] == room["phase"], f"{where} changed phase in the upgrade"
        brainstorm = after["activities"][0]["id"]
        ideas = old["ideas"].get(room["code"], {})
        assert after["ideas"] == {
            str(pk): {"activity": brainstorm, "votes": idea["votes"]} for pk, idea in ideas.items()
        }, f"{where}: its ideas are not all in its brainstorm with their votes"
    assert sum(len(idea) for idea in old["ideas"].values()) == old["tables"]["ideas_idea"]
    rooms = {room["id"] for room in old["rooms"]}
    for room in old["rooms"]:
        after = pages[room["id"]]
        brainstorm = after["activities"][0]
        # The board's dots, cap and blind mode are its brainstorm's, and so is each person's budget.
        assert brainstorm["voting"] == room["voting"], f"room {room['code']}: {brainstorm['voting']} ≠ {room['voting']}"
        assert after["budgets"] == {pk: [brainstorm["id"], left] for pk, left in room["dots_left"].items()}
    for page in pages.values():
        if page["id"] not in rooms:
            assert page["activities"] == [] and page["ideas"] == {}, f"the translation {page['code']} got a room of its own"
    assert len(pages) == 3


def test_every_office_plan_keeps_its_items(upgrade):
    answers = upgrade["new"]["requests"]["anonymous"]
    for slug, plans in upgrade["old"]["plans"].items():
        got = answers[f"/api/offices/{slug}/plan"]
        assert got["status"] == 200, f"the plan of {slug} answers {got['status']}"
        published = {pk: plan for pk, plan in plans.items() if plan["published"]}
        shown = {plan["id"]: plan for plan in got["json"]["plans"]}
        assert sorted(shown) == sorted(published), f"{slug}: other plans shown than before the upgrade"
        for pk, plan in published.items():
            items = {item["id"]: item["title"] for item in shown[pk]["items"]}
            assert shown[pk]["title"] == plan["title"]
            assert items == plan["items"], (
                f"{slug}'s plan {plan['title']!r} had {len(plan['items'])} items, shows {len(items)} after the upgrade"
            )


def test_the_prototype_keeps_its_versions_screens_hotspots_and_pictures(upgrade):
    answers = upgrade["new"]["requests"]["anonymous"]
    for slug, prototype in upgrade["old"]["prototypes"].items():
        data = answers[f"/api/prototypes/{slug}"]["json"]
        assert data["title"] == prototype["title"]
        published = {n: v for n, v in prototype["versions"].items() if v["published"]}
        shown = {version["number"]: version for version in data["versions"]}
        assert sorted(shown) == sorted(published), f"{slug}: other published versions than before the upgrade"
        for number, version in published.items():
            screens = [
                {"id": s["id"], "title": s["title"], "hotspots": len(s["hotspots"])} for s in shown[number]["screens"]
            ]
            assert screens == version["screens"], f"{slug} v{number}: screens or hotspots changed in the upgrade"
            for screen in shown[number]["screens"]:
                picture = answers[screen["image_url"]]
                assert picture["status"] == 200 and picture["content_type"].startswith("image/") and picture["bytes"] > 0, (
                    f"{slug} v{number} screen {screen['title']!r}: its picture {screen['image_url']} does not load"
                )
    play = answers["/p/maternitate-online/"]["text"]
    shown_pictures = [url for url in answers if url.startswith("/media/") and url in play]
    assert shown_pictures, "the play screen shows no picture"
    for url in shown_pictures:
        assert answers[url]["status"] == 200, f"the play screen's picture {url} answers {answers[url]['status']}"
    files = {picture["id"]: (picture["file"], picture["exists"]) for picture in upgrade["new"]["pictures"]}
    assert files == {pk: (name, True) for pk, name in upgrade["old"]["pictures"].items()}, "pictures lost their files"


def test_the_service_maps_keep_their_steps(upgrade):
    old = upgrade["old"]["maps"]["indemnizatia-de-maternitate"]
    answers = upgrade["new"]["requests"]["anonymous"]
    data = answers["/api/services/indemnizatia-de-maternitate/maps"]["json"]
    assert [(m["title"], [s["title"] for s in m["steps"]]) for m in data["maps"]] == [
        (m["title"], m["steps"]) for m in old.values()
    ]
    page = html.unescape(answers["/services/indemnizatia-de-maternitate/"]["text"])
    for service_map in old.values():
        assert service_map["title"] in page, f"the service page no longer shows the map {service_map['title']!r}"


def test_feedback_is_still_there_for_the_facilitator(upgrade):
    requests = upgrade["new"]["requests"]
    assert requests["logged_in"], "the demo facilitator can no longer log in with the demo password"
    assert upgrade["old"]["feedback"], "the fixture has no feedback to look for"
    for (slug, number), feedback in upgrade["old"]["feedback"].items():
        got = requests["as_user"][f"/api/prototypes/{slug}/feedback?version={number}"]
        where = f"{slug} v{number}"
        assert got["status"] == 200, f"{where}: the facilitator's feedback list answers {got['status']}"
        pins = {pin["id"]: pin["text"] for pin in got["json"]["pins"]}
        assert pins == feedback, f"{where}: the facilitator sees {len(pins)} feedback pins, {len(feedback)} before the upgrade"


def test_users_groups_and_permissions_survive(upgrade):
    old, new = upgrade["old"], upgrade["new"]["accounts"]
    assert new["users"] == old["users"], "users, their roles or their groups changed in the upgrade"
    lost = [p for p in old["group_permissions"] if p not in new["group_permissions"]]
    assert not lost, f"groups lost permissions in the upgrade: {lost}"
    lost_pages = [p for p in old["page_permissions"] if p not in new["page_permissions"]]
    assert not lost_pages, f"groups lost page permissions in the upgrade: {lost_pages}"
    for url, got in upgrade["new"]["requests"]["as_user"].items():
        if not url.startswith("/api/"):
            assert got["status"] == 200, f"the facilitator gets {got['status']} at {url} after the upgrade"
