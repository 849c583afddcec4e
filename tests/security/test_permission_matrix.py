"""The permission matrix: every role × every door that changes something, and the secondary
Wagtail admin views that read or change the objects an office team owns.

Roles: anonymous; a participant who joined the workshop (a session, no account); the office
teams of Rezina and Călărași; a facilitator; an admin (superuser). The objects belong to
Călărași: its office page, its (unpublished) action plan with an item and a milestone, a
draft prototype of the office with a screen and a citizen's feedback. So Rezina's team is
the neighbour who must be refused everywhere, and Călărași's team the owner.

Outcomes: A allowed (2xx, or a redirect that is not to the login), D denied (403), L sent to
the login (302), N not found (404, for what the role may not even know exists); for socket
messages the `ack` or the error code. Every refused write is checked to have changed nothing.
"""

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from wagtail.images import get_image_model

from feedback.models import Feedback
from ideas.models import Idea
from plans.models import ActionItem, ActionPlan, Milestone
from prototypes.models import Hotspot, PrototypeVersion
from tests.factories import UserFactory, WorkshopPageFactory
from tests.ideas.factories import IdeaFactory
from tests.prototypes.factories import (
    PrototypeFactory,
    ScreenFactory,
    VersionFactory,
    png_bytes,
)
from workshop_site.asgi import application
from workshop_site.offices.models import OfficePage
from workshop_site.workshops.models import WorkshopPage

pytestmark = pytest.mark.django_db(transaction=True)

ROLES = ["anonymous", "participant", "rezina", "calarasi", "facilitator", "admin"]
LOGIN = reverse("wagtailadmin_login")
# Wagtail answers a logged-in user who may not do something with a redirect to the dashboard
# and a message ("Sorry, you do not have permission to access this area"): its 403.
ADMIN_HOME = reverse("wagtailadmin_home")


def expect(anonymous, participant, rezina, calarasi, facilitator, admin) -> dict[str, str]:
    return dict(zip(ROLES, (anonymous, participant, rezina, calarasi, facilitator, admin), strict=True))


# Who may do what, in one line each.
PUBLIC_READ = expect("A", "A", "A", "A", "A", "A")
OWNER_EDITS = expect("L", "L", "D", "A", "A", "A")   # Wagtail page views: refusal is a 403
OWNER_EDITS_HIDDEN = expect("L", "L", "N", "A", "A", "A")  # scoped admin views: others' objects do not exist
STAFF_ONLY = expect("L", "L", "D", "D", "A", "A")
ADMIN_ONLY = expect("L", "L", "D", "D", "D", "A")
ANY_STAFF = expect("L", "L", "A", "A", "A", "A")
API_OWNER = expect("D", "D", "D", "A", "A", "A")
PUBLIC_OWNER = expect("N", "N", "N", "A", "A", "A")  # public doors of a draft or unpublished thing
RUN_ROOM = expect("forbidden", "forbidden", "forbidden", "forbidden", "ack", "ack")


@dataclass
class Row:
    name: str
    url: Callable[[dict], str]
    expected: dict[str, str]
    method: str = "get"
    data: Callable[[dict], dict] = lambda w: {}
    state: Callable[[dict], object] = lambda w: None  # what a refused request must not change
    json_body: bool = False
    socket: dict | None = None
    by_state: bool = False  # the outcome is "changed" / "unchanged" rather than the status
    extra: dict = field(default_factory=dict)


def page_state(w):
    page = OfficePage.objects.filter(pk=w["office"].pk).first()
    if page is None:
        return None  # deleted
    return page.title, page.live, page.latest_revision_id, page.url_path, OfficePage.objects.count()


def plan_state(w):
    return list(ActionPlan.objects.values_list("pk", "title", "published", "office_id").order_by("pk"))


def item_state(w):
    return (list(ActionItem.objects.values_list("pk", "title", "status", "progress", "revision").order_by("pk")),
            list(Milestone.objects.values_list("pk", "title", "done").order_by("pk")))


def prototype_state(w):
    return (list(PrototypeVersion.objects.values_list("pk", "number", "published").order_by("pk")),
            w["version"].screens.count(), Hotspot.objects.count(), get_image_model().objects.count())


def feedback_state(w):
    return list(Feedback.objects.values_list("pk", "status", "reply", "text").order_by("pk"))


def room_state(w):
    workshop = WorkshopPage.objects.get(pk=w["workshop"].pk)
    return workshop.phase, workshop.timer_ends_at, list(Idea.objects.values_list("pk", "text", "hidden").order_by("pk"))


def office_edit_data(w):
    return {"title": "Pirated", "slug": "calarasi", "district": "X", "action-publish": "publish"}


def pages(name):
    return lambda w: reverse(f"wagtailadmin_pages:{name}", args=[w["office"].pk])


ROWS = [
    # The office page of Călărași in the Wagtail admin, every secondary view included.
    Row("page edit form", pages("edit"), OWNER_EDITS),
    Row("page edit and publish", pages("edit"), OWNER_EDITS, "post", office_edit_data, page_state),
    Row("page history", pages("history"), OWNER_EDITS),
    # (The revisions index only redirects to the history.)
    Row("page revision view", lambda w: reverse("wagtailadmin_pages:revisions_view",
                                                args=[w["office"].pk, w["revision"].pk]), OWNER_EDITS),
    Row("page revisions compare", lambda w: f"/admin/pages/{w['office'].pk}/revisions/compare/earliest...live/",
        OWNER_EDITS),
    Row("page revision revert", lambda w: reverse("wagtailadmin_pages:revisions_revert",
                                                  args=[w["office"].pk, w["revision"].pk]), OWNER_EDITS),
    Row("page view draft", pages("view_draft"), OWNER_EDITS),
    Row("page preview", pages("preview_on_edit"), OWNER_EDITS, "post", office_edit_data, page_state),
    Row("page copy form", pages("copy"), STAFF_ONLY),
    Row("page copy", pages("copy"), STAFF_ONLY, "post",
        lambda w: {"new_title": "Copy", "new_slug": "copy", "new_parent_page": w["office_index"].pk}, page_state),
    Row("page move", pages("move"), STAFF_ONLY),
    # An office lives in the office index only (parent_page_types), whoever asks.
    Row("page move confirm", lambda w: reverse("wagtailadmin_pages:move_confirm",
                                               args=[w["office"].pk, w["home"].pk]),
        expect("L", "L", "D", "D", "D", "D"), "post", state=page_state),
    Row("page unpublish", pages("unpublish"), OWNER_EDITS, "post", state=page_state),
    Row("page delete", pages("delete"), STAFF_ONLY, "post", state=page_state),
    Row("page lock", pages("lock"), STAFF_ONLY, "post", state=lambda w: OfficePage.objects.get(pk=w["office"].pk).locked),
    Row("page privacy", pages("set_privacy"), OWNER_EDITS, "post", lambda w: {"restriction_type": "login"},
        state=lambda w: w["office"].get_view_restrictions().count()),
    # Bulk actions answer everyone with their confirmation page and skip what the user may
    # not touch: the outcome is whether the office changed.
    Row("pages bulk delete", lambda w: f"/admin/bulk/wagtailcore/page/delete/?id={w['office'].pk}&next=/admin/pages/",
        expect("L", "L", "unchanged", "unchanged", "changed", "changed"), "post", state=page_state,
        by_state=True),
    Row("pages bulk unpublish",
        lambda w: f"/admin/bulk/wagtailcore/page/unpublish/?id={w['office'].pk}&next=/admin/pages/",
        expect("L", "L", "unchanged", "changed", "changed", "changed"), "post", state=page_state, by_state=True),
    Row("page chooser", lambda w: reverse("wagtailadmin_choose_page"), ANY_STAFF),
    Row("image chooser chosen", lambda w: reverse("wagtailimages_chooser:chosen", args=[w["screen"].image_id]),
        ANY_STAFF),
    # Călărași's unpublished plan in the admin viewsets (plans/wagtail_hooks.py).
    Row("plan index", lambda w: reverse("action_plans:index"), ANY_STAFF),
    Row("plan edit form", lambda w: reverse("action_plans:edit", args=[w["plan"].pk]), OWNER_EDITS_HIDDEN),
    Row("plan edit", lambda w: reverse("action_plans:edit", args=[w["plan"].pk]), OWNER_EDITS_HIDDEN, "post",
        lambda w: {"office": w["office"].pk, "title": "Pirated"}, plan_state),
    Row("plan history", lambda w: reverse("action_plans:history", args=[w["plan"].pk]), OWNER_EDITS_HIDDEN),
    Row("plan usage", lambda w: reverse("action_plans:usage", args=[w["plan"].pk]), OWNER_EDITS_HIDDEN),
    Row("plan copy", lambda w: reverse("action_plans:copy", args=[w["plan"].pk]), OWNER_EDITS, "post",
        lambda w: {"office": w["office"].pk, "title": "Copied"}, plan_state),
    Row("plan delete", lambda w: reverse("action_plans:delete", args=[w["plan"].pk]),
        expect("L", "L", "N", "D", "A", "A"), "post", state=plan_state),
    Row("item edit form", lambda w: reverse("action_items:edit", args=[w["item"].pk]), OWNER_EDITS_HIDDEN),
    Row("item history", lambda w: reverse("action_items:history", args=[w["item"].pk]), OWNER_EDITS_HIDDEN),
    Row("item usage", lambda w: reverse("action_items:usage", args=[w["item"].pk]), OWNER_EDITS_HIDDEN),
    Row("item copy", lambda w: reverse("action_items:copy", args=[w["item"].pk]), OWNER_EDITS, "post",
        lambda w: {"plan": w["plan"].pk, "title": "Copied", "status": "not_started", "priority": "normal",
                   "weight": 1, "progress": 0}, item_state),
    Row("item delete", lambda w: reverse("action_items:delete", args=[w["item"].pk]),
        expect("L", "L", "N", "D", "A", "A"), "post", state=item_state),
    # Plans' own doors: the API, the item page, milestones.
    Row("api plan item patch", lambda w: f"/api/plan-items/{w['item'].pk}", API_OWNER, "patch",
        lambda w: {"progress": 60, "note": "x"}, item_state, json_body=True),
    Row("item page progress", lambda w: reverse("plans_item", args=[w["item"].pk]), PUBLIC_OWNER, "post",
        lambda w: {"status": "in_progress", "progress": 40, "note": "", "revision": w["item"].revision}, item_state),
    Row("milestone add", lambda w: reverse("plans_milestone_add", args=[w["item"].pk]), API_OWNER, "post",
        lambda w: {"title": "Pirated"}, item_state),
    Row("milestone toggle", lambda w: reverse("plans_milestone_toggle", args=[w["milestone"].pk]), API_OWNER,
        "post", lambda w: {"done": "1"}, item_state),
    Row("plans overview", lambda w: reverse("plans_overview"), expect("D", "D", "D", "D", "A", "A")),
    # Feedback triage of the prototype of Călărași.
    Row("feedback triage list", lambda w: reverse("feedback_admin_list"), ANY_STAFF),
    Row("feedback triage", lambda w: reverse("feedback_admin_detail", args=[w["feedback"].pk]), OWNER_EDITS_HIDDEN,
        "post", lambda w: {"status": "done", "reply": "Mulțumim"}, feedback_state),
    Row("feedback to action item", lambda w: reverse("feedback_admin_make_item", args=[w["feedback"].pk]),
        OWNER_EDITS, "post", lambda w: {"plan": w["plan"].pk}, item_state),
    Row("api feedback edit by another browser", lambda w: f"/api/feedback/{w['feedback'].pk}",
        expect("D", "D", "D", "D", "D", "D"), "patch", lambda w: {"text": "Pirated"}, feedback_state, json_body=True),
    # The draft prototype of Călărași.
    Row("prototype workbench", lambda w: reverse("prototypes_admin_workbench"), ANY_STAFF),
    Row("prototype version page", lambda w: reverse("prototypes_admin_version", args=[w["version"].pk]), OWNER_EDITS),
    Row("prototype new version", lambda w: reverse("prototypes_admin_version_new", args=[w["prototype"].pk]),
        OWNER_EDITS, "post", state=prototype_state),
    Row("prototype screens upload", lambda w: reverse("prototypes_admin_screens_upload", args=[w["version"].pk]),
        OWNER_EDITS, "post", lambda w: {"files": [_png()]}, prototype_state),
    Row("prototype hotspots", lambda w: reverse("prototypes_admin_hotspots", args=[w["screen"].pk]), OWNER_EDITS,
        "post", lambda w: {"hotspots-TOTAL_FORMS": "0", "hotspots-INITIAL_FORMS": "0"}, prototype_state),
    Row("prototype version viewset edit", lambda w: reverse("prototype_versions:edit", args=[w["version"].pk]),
        STAFF_ONLY, "post", lambda w: {"published": "on"}, prototype_state),
    Row("prototype version history", lambda w: reverse("prototype_versions:history", args=[w["version"].pk]),
        STAFF_ONLY),
    Row("api feedback on a draft", lambda w: f"/api/prototypes/{w['prototype'].slug}/feedback",
        expect("N", "N", "N", "A", "A", "A"), "post",
        lambda w: {"version": w["version"].number, "screen": w["screen"].pk, "x": 0.5, "y": 0.5, "text": "Bine"},
        json_body=True, state=lambda w: None),
    # The live workshop: the socket's changes, and the HTTP doors of the room.
    Row("socket phase.set", None, RUN_ROOM, socket={"type": "phase.set", "phase": "voting"}, state=room_state),
    Row("socket timer.start", None, RUN_ROOM, socket={"type": "timer.start", "seconds": 60}, state=room_state),
    Row("socket idea.hide", None, RUN_ROOM, socket={"type": "idea.hide", "idea": "IDEA"}, state=room_state),
    Row("socket idea.post", None, expect("not_joined", "ack", "not_joined", "not_joined", "not_joined", "not_joined"),
        socket={"type": "idea.post", "text": "O idee"}, state=room_state),
    # The wall screen is public; its controls are the socket messages above.
    Row("presenter screen", lambda w: reverse("ideas_presenter", args=[w["workshop"].join_code]), PUBLIC_READ),
    Row("api paper tallies", lambda w: f"/api/workshops/{w['workshop'].join_code}/paper-tallies",
        expect("D", "D", "D", "D", "A", "A"), "post", lambda w: {"voters": 3, "counts": {str(w["idea"].pk): 2}},
        room_state, json_body=True),
    Row("api proxy participant", lambda w: f"/api/workshops/{w['workshop'].join_code}/proxy-participants",
        expect("D", "D", "D", "D", "A", "A"), "post", lambda w: {"display_name": "Bunica", "role": "citizen"},
        lambda w: w["workshop"].participants.count(), json_body=True),
    Row("admin users", lambda w: reverse("wagtailusers_users:index"), ADMIN_ONLY),
]


def _png():
    return SimpleUploadedFile("s.png", png_bytes(40, 80))


@pytest.fixture
def world(tree):
    office = OfficePage.objects.get(pk=tree["calarasi"].pk)
    revision = office.save_revision()
    revision.publish()
    office.save_revision()  # a draft on top, so there is something to compare and preview
    prototype = PrototypeFactory(slug="calarasi-online")
    prototype.offices.add(office)
    prototype.save()  # a ParentalManyToManyField is stored on save
    version = VersionFactory(prototype=prototype, published=False)
    screen = ScreenFactory(version=version)
    feedback = Feedback.objects.create(version=version, screen=screen, x=0.5, y=0.5, text="Prea mic",
                                       session_key="someone-elses-browser")
    plan = ActionPlan.objects.create(office=office, title="Planul Călărași", published=False)
    item = ActionItem.objects.create(plan=plan, title="Scaner pentru echipa mobilă")
    milestone = Milestone.objects.create(item=item, title="Oferte")
    workshop = WorkshopPageFactory(parent=tree["workshop_index"], join_code="MATRIX", phase="ideas")
    idea = IdeaFactory(workshop=workshop)
    return {**tree, "office": office, "revision": revision, "prototype": prototype, "version": version,
            "screen": screen, "feedback": feedback, "plan": plan, "item": item, "milestone": milestone,
            "workshop": workshop, "idea": idea}


def client_for(role: str, w: dict) -> Client:
    client = Client()
    if role == "participant":
        response = client.post(f"/api/workshops/{w['workshop'].join_code}/participants",
                               {"display_name": "Maria", "role": "citizen"}, content_type="application/json")
        assert response.status_code == 201
    elif role in ("rezina", "calarasi"):
        user = UserFactory(username=f"{role}-team")
        user.groups.add(w[role].team_group)
        client.force_login(user)
    elif role == "facilitator":
        user = UserFactory(username="facilitator-1")
        user.groups.add(w["facilitators"])
        client.force_login(user)
    elif role == "admin":
        client.force_login(UserFactory(username="admin-1", is_superuser=True, is_staff=True))
    return client


def http_outcome(response) -> str:
    status = response.status_code
    if status == 302 and response["Location"].startswith(LOGIN):
        return "L"
    if status == 302 and response["Location"] == ADMIN_HOME:
        return "D"
    if status in (403, 404):
        return {403: "D", 404: "N"}[status]
    if status < 400:
        return "A"
    if status in (400, 409, 422):
        return "A"  # let through the permission check, then refused for its content
    return str(status)


def socket_outcome(client: Client, w: dict, message: dict) -> str:
    message = {**message, "ref": "m"}
    if message.get("idea") == "IDEA":
        message["idea"] = w["idea"].pk
    headers = [(b"host", b"localhost"), (b"origin", b"http://localhost")]
    if "sessionid" in client.cookies:
        headers.append((b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()))

    async def talk():
        comm = WebsocketCommunicator(application, f"/ws/workshops/{w['workshop'].join_code}/", headers=headers)
        connected, _ = await comm.connect(timeout=5)
        assert connected
        while True:
            frame = json.loads(await comm.receive_from(timeout=5))
            if frame["type"] == "snapshot":
                break
        await comm.send_to(text_data=json.dumps(message))
        while True:
            frame = json.loads(await comm.receive_from(timeout=5))
            if frame.get("ref") == "m":
                await comm.disconnect()
                return "ack" if frame["type"] == "ack" else frame["code"]

    return run_then_drop_stragglers(talk())


def run_then_drop_stragglers(exchange, *, grace: float = 5.0):
    """Run the exchange in its own event loop in this thread (the consumer's database calls go
    to asgiref's one worker thread: these tests are transactional, it sees their rows), then
    cancel what the consumer left running and wait at most `grace` seconds for it.

    On PostgreSQL + Redis the loop's shutdown (asyncio.run's, or async_to_sync's before it)
    now and then waited forever, the loop idle in select, for a cancelled task that never
    finished (seen three times, ~305 cases in; the cause is not found yet): the answer was in
    hand, so such a task is left behind with its loop instead of holding the suite."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(exchange)
    finally:
        stragglers = asyncio.all_tasks(loop)
        for task in stragglers:
            task.cancel()
        if stragglers:
            loop.run_until_complete(asyncio.wait(stragglers, timeout=grace))
        loop.close()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_permission_matrix(row: Row, role: str, world):
    client = client_for(role, world)
    before = row.state(world)
    if row.socket is not None:
        outcome = socket_outcome(client, world, row.socket)
    else:
        url, data = row.url(world), row.data(world)
        if row.json_body:
            response = getattr(client, row.method)(url, json.dumps(data), content_type="application/json")
        elif row.method == "get":
            response = client.get(url)
        else:
            response = getattr(client, row.method)(url, data)
        outcome = http_outcome(response)
        if row.by_state and outcome == "A":
            outcome = "changed" if row.state(world) != before else "unchanged"
    assert outcome == row.expected[role], f"{row.name} as {role}: {outcome}, expected {row.expected[role]}"
    if row.expected[role] not in ("A", "ack", "changed"):
        assert row.state(world) == before, f"{row.name} as {role} was refused but changed something"


def test_the_matrix_covers_every_role_of_the_issue():
    assert ROLES == ["anonymous", "participant", "rezina", "calarasi", "facilitator", "admin"]
    assert all(set(row.expected) == set(ROLES) for row in ROWS)
    assert isinstance(AnonymousUser(), AnonymousUser)
