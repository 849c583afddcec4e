"""The heavy pages read their rows in a fixed number of queries: each is rendered with a little
data and with a lot, and the second may not make a single query more than the first.

(The time they take is measured in bench/, not asserted here.)
"""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from feedback.models import Feedback
from ideas.models import TaggedIdea, Vote
from plans.models import ActionItem, ActionPlan, Milestone
from prototypes import services as prototype_services
from prototypes.models import Hotspot
from tests.factories import WorkshopPageFactory
from tests.ideas.factories import IdeaFactory, ParticipantFactory
from tests.prototypes.factories import PrototypeFactory, ScreenFactory, VersionFactory

pytestmark = pytest.mark.django_db

SMALL, LARGE = 2, 25


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()
    yield
    cache.clear()


def queries_of(client: Client, url: str) -> int:
    """Queries of one request, after a first one has warmed the caches (site root, session)."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def assert_same_queries(
    client_small, url_small, client_large, url_large, django_assert_num_queries
):
    expected = queries_of(client_small, url_small)
    assert client_large.get(url_large).status_code == 200
    with django_assert_num_queries(expected):
        response = client_large.get(url_large)
    assert response.status_code == 200
    return response


# --- the live workshop's pages ------------------------------------------------------------------


def live_workshop(tree, code: str, rows: int):
    """A workshop in `voting` with `rows` ideas (two tags each), `rows` participants and two
    dots from each of them."""
    workshop = WorkshopPageFactory(
        parent=tree["workshop_index"],
        join_code=code,
        phase="voting",
        dots_per_participant=3,
    )
    workshop.offices.set([tree["rezina"], tree["calarasi"]])
    people = [
        ParticipantFactory(workshop=workshop, role=["citizen", "provider"][n % 2])
        for n in range(rows)
    ]
    ideas = [IdeaFactory(workshop=workshop, participant=people[n]) for n in range(rows)]
    for n, idea in enumerate(ideas):
        idea.tags.add(f"tema-{n % 5}", f"birou-{n % 3}")
    Vote.objects.bulk_create(
        Vote(
            participant=person,
            idea=ideas[(n + k) % rows],
            channel=["phone", "proxy", "paper"][k],
        )
        for n, person in enumerate(people)
        for k in range(2)
    )
    assert (
        TaggedIdea.objects.filter(content_object__workshop=workshop).count() == 2 * rows
    )
    return workshop


@pytest.fixture
def small_and_large(tree):
    return live_workshop(tree, "SMALL2", SMALL), live_workshop(tree, "LARGE2", LARGE)


def joined_client(code: str) -> Client:
    client = Client()
    response = client.post(
        f"/api/workshops/{code}/participants",
        {"display_name": "Ana", "role": "citizen"},
        content_type="application/json",
    )
    assert response.status_code == 201
    return client


def test_the_participant_page_does_not_grow_with_ideas_people_and_votes(
    small_and_large, django_assert_num_queries
):
    response = assert_same_queries(
        joined_client("SMALL2"),
        "/w/SMALL2/",
        joined_client("LARGE2"),
        "/w/LARGE2/",
        django_assert_num_queries,
    )
    assert response.content.decode().count("Idee ") >= LARGE


@pytest.mark.parametrize("who", ["anonymous", "facilitator"])
def test_the_presenter_page_does_not_grow(
    request, who, small_and_large, django_assert_num_queries
):
    client = Client()
    if who == "facilitator":
        client.force_login(request.getfixturevalue("facilitator"))
    response = assert_same_queries(
        client,
        "/w/SMALL2/present/",
        client,
        "/w/LARGE2/present/",
        django_assert_num_queries,
    )
    assert response.content.decode().count("Idee ") >= LARGE


@pytest.mark.parametrize("who", ["anonymous", "facilitator"])
def test_the_results_page_does_not_grow(
    request, who, small_and_large, django_assert_num_queries
):
    client = Client()
    if who == "facilitator":
        client.force_login(request.getfixturevalue("facilitator"))
        for office in ("rezina", "calarasi"):
            ActionPlan.objects.create(
                office=request.getfixturevalue("tree")[office], title=f"Plan {office}"
            )
    response = assert_same_queries(
        client,
        "/w/SMALL2/results/",
        client,
        "/w/LARGE2/results/",
        django_assert_num_queries,
    )
    assert response.content.decode().count("Idee ") >= LARGE


def test_the_results_api_does_not_grow(small_and_large, django_assert_num_queries):
    client = Client()
    response = assert_same_queries(
        client,
        "/api/workshops/SMALL2/results",
        client,
        "/api/workshops/LARGE2/results",
        django_assert_num_queries,
    )
    assert len(response.json()["ideas"]) == LARGE


# --- the results of a run of show ---------------------------------------------------------------


@pytest.fixture
def small_and_large_runs(tree):
    """Two workshops running DEMO29's four activities (tests/api/rooms.py): one answered by 5
    people, the other by 20 and with six more polls, scales and word clouds they all answered."""
    from tests.api.rooms import answered_room, more_activities

    found = []
    for code, repeat, more in (("RUNS01", 1, 0), ("RUNL04", 4, 2)):
        workshop = WorkshopPageFactory(
            parent=tree["workshop_index"], join_code=code, phase="ideas", dots_per_participant=3
        )
        room = answered_room(workshop, repeat=repeat)
        more_activities(workshop, room["people"], more)
        found.append(workshop)
    return found


@pytest.mark.parametrize("who", ["anonymous", "facilitator"])
@pytest.mark.parametrize("page", ["results/", "results.csv"])
def test_the_results_of_a_run_of_show_do_not_grow_with_activities_and_answers(
    request, who, page, small_and_large_runs, django_assert_num_queries
):
    client = Client()
    if who == "facilitator":
        client.force_login(request.getfixturevalue("facilitator"))
    response = assert_same_queries(
        client, f"/w/RUNS01/{page}", client, f"/w/RUNL04/{page}", django_assert_num_queries
    )
    assert "Cuvinte 1" in response.content.decode("utf-8-sig")  # the last of the ten activities


def test_the_results_api_and_the_xlsx_of_a_run_of_show_do_not_grow(
    small_and_large_runs, facilitator, django_assert_num_queries
):
    client = Client()
    response = assert_same_queries(
        client, "/api/workshops/RUNS01/results", client, "/api/workshops/RUNL04/results",
        django_assert_num_queries,
    )
    assert len(response.json()["activities"]) == 10
    assert response.json()["activities"][0]["results"]["respondents"] == 20
    client.force_login(facilitator)
    assert_same_queries(
        client, "/w/RUNS01/results.xlsx", client, "/w/RUNL04/results.xlsx", django_assert_num_queries
    )


# --- the office page with its plan -------------------------------------------------------------


def grow_plan(plan: ActionPlan, rows: int, origins) -> None:
    today = timezone.localdate()
    idea, version, feedback = origins
    for n in range(rows):
        item = ActionItem.objects.create(
            plan=plan,
            title=f"Pasul {n}",
            sort_order=n,
            status=["not_started", "in_progress", "done"][n % 3],
            start=today - dt.timedelta(days=n + 5),
            due=today + dt.timedelta(days=n - 3),
        )
        item.ideas.add(idea)
        item.prototype_versions.add(version)
        item.feedback.add(feedback)
        Milestone.objects.bulk_create(
            Milestone(item=item, title=f"Etapa {m}", done=m == 0, sort_order=m)
            for m in range(3)
        )


@pytest.fixture
def origins(tree):
    workshop = live_workshop(tree, "ORIGIN", 1)
    version = VersionFactory(
        prototype=PrototypeFactory(slug="origine"), number=1, published=True
    )
    screen = ScreenFactory(version=version)
    feedback = Feedback.objects.create(
        version=version, screen=screen, x=0.5, y=0.5, text="Prea multe acte"
    )
    return workshop.ideas.first(), version, feedback


@pytest.mark.parametrize("who", ["anonymous", "rezina_member"])
def test_the_office_page_does_not_grow_with_the_plans_items(
    request, who, tree, origins, django_assert_num_queries
):
    client = Client()
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    small = ActionPlan.objects.create(
        office=tree["calarasi"], title="Planul Călărași", published=True
    )
    large = ActionPlan.objects.create(
        office=tree["rezina"], title="Planul Rezina", published=True
    )
    grow_plan(small, SMALL, origins)
    grow_plan(large, LARGE, origins)
    if who != "anonymous":
        # The team sees its office's drafts: give the other office's team the same view.
        client_small = Client()
        client_small.force_login(request.getfixturevalue("calarasi_member"))
    else:
        client_small = client
    response = assert_same_queries(
        client_small,
        "/birouri/calarasi/",
        client,
        "/birouri/rezina/",
        django_assert_num_queries,
    )
    assert response.content.decode().count("data-item-id=") == LARGE


# --- play mode ------------------------------------------------------------------------------------


def prototype_with(slug: str, rows: int):
    """A published version whose first screen has `rows` hotspots, each to another screen, and
    `rows` public feedback pins."""
    version = VersionFactory(
        prototype=PrototypeFactory(slug=slug), number=1, published=True
    )
    screens = [ScreenFactory(version=version, sort_order=n) for n in range(rows + 1)]
    first = screens[0]
    for n, target in enumerate(screens[1:]):
        prototype_services.hotspot_save(
            Hotspot(
                screen=first,
                x=0.1,
                y=n / (rows + 1),
                w=0.5,
                h=0.5 / (rows + 1),
                target_screen=target,
                label=f"Spre {n}",
            )
        )
    Feedback.objects.bulk_create(
        Feedback(
            version=version,
            screen=first,
            x=0.2,
            y=0.2,
            text=f"Observația {n}",
            session_key="x",
        )
        for n in range(rows)
    )
    return version


def test_the_play_page_does_not_grow_with_hotspots_screens_and_pins(
    tree, facilitator, django_assert_num_queries
):
    prototype_with("mic", SMALL)
    prototype_with("mare", LARGE)
    client = Client()
    client.force_login(facilitator)  # a facilitator sees every pin
    response = assert_same_queries(
        client, "/p/mic/", client, "/p/mare/", django_assert_num_queries
    )
    assert response.content.decode().count("Spre ") >= LARGE
