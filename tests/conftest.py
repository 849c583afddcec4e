import asyncio
import asyncio.runners
import io

import pytest

from tests.factories import (
    UserFactory,
    build_site_tree,
    site_tree_keys,
    site_tree_load,
    site_tree_remove,
)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Build the shared page tree once per test database: each test that asks for it rolls back
    to it instead of saving a dozen pages through treebeard again (most of test-fast's time)."""
    with django_db_blocker.unblock():
        return site_tree_keys(build_site_tree())


@pytest.fixture
def tree(db, django_db_setup):
    """The shared page tree with two offices and their team groups, freshly read.

    A transactional test flushes the database when it ends, so the tests after it rebuild.
    """
    return site_tree_load(django_db_setup) or build_site_tree()


@pytest.fixture
def bare_site(db, django_db_setup):
    """The site without the shared tree, as a fresh install has it (the demo loads into this)."""
    site_tree_remove(django_db_setup)


@pytest.fixture
def facilitator(tree):
    user = UserFactory(username="facilitator")
    user.groups.add(tree["facilitators"])
    return user


@pytest.fixture
def rezina_member(tree):
    user = UserFactory(username="rezina")
    user.groups.add(tree["rezina"].team_group)
    return user


@pytest.fixture
def calarasi_member(tree):
    user = UserFactory(username="calarasi")
    user.groups.add(tree["calarasi"].team_group)
    return user


def pytest_collection_modifyitems(config, items):
    """Browser tests run last: Playwright's sync API holds an event loop in the main thread
    while its browser is open, which async tests cannot share."""
    items.sort(key=lambda item: "tests/browser/" in str(item.path))


@pytest.fixture(autouse=True)
def _fresh_local_cache():
    """SQLite reuses row ids after a test rolls back, so a rendition or rate count cached by one
    test would leak into the next. On Redis only the rate counters go (PostgreSQL never
    reuses ids, and a flush would also empty the channel layer)."""
    from django.conf import settings
    from django.core.cache import caches

    cache = caches["default"]
    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        cache.clear()
    else:
        # The limiter's counters live in the shared Redis across tests (and runs): delete
        # just those, by pattern, without flushing what the channel layer keeps there.
        client = cache._cache.get_client(write=True)
        pattern = cache.make_key("atelier:rl:*").replace(":1:", ":*:", 1)
        keys = list(client.scan_iter(match=pattern, count=1000))
        if keys:
            client.delete(*keys)
        # Wagtail's sites, kept in the cache: the shared tree is read, not saved, by each test,
        # so no save clears them after a transactional test's flush removed the site.
        from wagtail.models import Site

        Site.clear_site_root_paths_cache()
    # The join pages a process keeps (by room id, like the local cache above).
    from ideas import join_page

    join_page.forget()
    yield


# A task that ignores its cancellation makes asyncio wait for it for ever when a test's event
# loop closes (asyncio.Runner.close), and the whole run hangs with no word of which task (seen
# twice on PostgreSQL + Redis). Here each test's loop gives its tasks 30 s to end after the
# cancellation, then names those that did not, with their stacks (in the run's warnings).
_cancel_all_tasks = asyncio.runners._cancel_all_tasks


def _cancel_all_tasks_or_name_those_that_hang(loop):
    tasks = asyncio.all_tasks(loop)
    for task in tasks:
        task.cancel()
    if tasks:
        _done, pending = loop.run_until_complete(asyncio.wait(tasks, timeout=30))
        if pending:
            said = io.StringIO()
            for task in pending:
                said.write(f"\n{task!r}\n")
                task.print_stack(file=said)
                asyncio.tasks._unregister_task(task)
            raise RuntimeError(f"{len(pending)} task(s) ignored their cancellation:{said.getvalue()}")
    _cancel_all_tasks(loop)


asyncio.runners._cancel_all_tasks = _cancel_all_tasks_or_name_those_that_hang
