"""A run of show rewritten in the Wagtail admin reaches the live room (issue #17): phones, the
console and the wall get the new list (`activities`) without a reload, and the view of the
activity the room is on when that one is edited. The admin through the test client, the room
through the real ASGI application."""

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from django.urls import reverse

from ideas.models import Activity
from tests.factories import WorkshopPageFactory

from .factories import run_of_show
from .live import Socket, joined_cookie
from .test_activity_admin import activity_post

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def admin(user, url: str, data: dict | None = None) -> None:
    """The facilitator posts an admin form, as their browser does."""
    client = Client()
    client.force_login(user)
    response = client.post(url, data or {})
    assert response.status_code == 302, response.content.decode()[:2000]


@database_sync_to_async
def listed(code: str) -> list[dict]:
    """The run of show as `GET /api/workshops/{code}/activities` gives it."""
    return Client().get(f"/api/workshops/{code}/activities").json()


async def frames_until(socket: Socket, kind: str) -> list[dict]:
    """The frames the socket gets up to the first of type `kind` (that one last)."""
    seen = []
    await socket.until(lambda f: seen.append(f) or f["type"] == kind)
    return seen


def titles(frame: dict) -> list[str]:
    return [a["title"] for a in frame["activities"]]


async def test_a_phone_hears_of_activities_added_renamed_and_deleted_in_the_admin(workshop, facilitator):
    show = await database_sync_to_async(run_of_show)(workshop)
    brainstorm, words = show["brainstorm"], show["words"]
    phone = Socket("LIVE23", await database_sync_to_async(joined_cookie)("LIVE23"))
    snapshot = await phone.open()
    assert len(snapshot["activities"]) == 4

    # Added: the new poll is on the list, in its place, as the API and a snapshot list it.
    await admin(facilitator, reverse("activities:add"), activity_post(
        workshop, kind="poll", title="Ce vă lipsește cel mai mult?", options=["Scaner", "Internet mobil"],
    ))
    frames = await frames_until(phone, "activities")
    added = frames[-1]
    assert "activity" not in [f["type"] for f in frames]  # the room stays where it was
    assert titles(added) == ["Din ce raion veniți?", "Cât de ușor este azi…", "Echipa mobilă",
                             "Un cuvânt pentru BCIS-ul ideal", "Ce vă lipsește cel mai mult?"]
    assert added["activities"][-1]["kind"] == "poll" and added["activities"][-1]["phase"] == "draft"
    assert added["current_activity"] == brainstorm.pk
    assert added["activities"] == await listed("LIVE23")
    snapshot = await phone.request("sync")
    assert (snapshot["activities"], snapshot["current_activity"]) == (added["activities"], added["current_activity"])

    # Renamed and moved to the top.
    await admin(facilitator, reverse("activities:edit", args=[words.pk]), activity_post(
        workshop, kind="words", title="Un cuvânt despre BCIS", position=0,
    ))
    frames = await frames_until(phone, "activities")
    assert "activity" not in [f["type"] for f in frames]
    assert titles(frames[-1])[:2] == ["Un cuvânt despre BCIS", "Din ce raion veniți?"]

    # The activity the room is on, renamed: its view first (the room's phase), then the list.
    await admin(facilitator, reverse("activities:edit", args=[brainstorm.pk]), activity_post(
        workshop, kind="brainstorm", title="Echipa mobilă: idei", position=3,
    ))
    frames = await frames_until(phone, "activities")
    [view] = [f["activity"] for f in frames if f["type"] == "activity"]
    assert (view["id"], view["title"], view["phase"]) == (brainstorm.pk, "Echipa mobilă: idei", "ideas")
    assert "Echipa mobilă: idei" in titles(frames[-1])
    assert [f["type"] for f in frames].index("activity") < len(frames) - 1

    # Deleted: gone from the list.
    await admin(facilitator, reverse("activities:delete", args=[words.pk]))
    frames = await frames_until(phone, "activities")
    assert "Un cuvânt despre BCIS" not in titles(frames[-1])
    assert [a["id"] for a in frames[-1]["activities"]] == [a["id"] for a in await listed("LIVE23")]
    assert len(frames[-1]["activities"]) == 4
    await phone.close()


async def test_an_activity_moved_to_another_workshop_leaves_one_room_and_reaches_the_other(
    workshop, facilitator, tree
):
    elsewhere = await database_sync_to_async(WorkshopPageFactory)(
        parent=tree["workshop_index"], title="Alt atelier", join_code="ELSE11", phase="ideas"
    )
    words = await database_sync_to_async(Activity.objects.create)(
        workshop=workshop, kind="words", title="Un cuvânt", position=1
    )
    here, there = Socket("LIVE23"), Socket("ELSE11")  # two walls: observers
    await here.open()
    await there.open()

    await admin(facilitator, reverse("activities:edit", args=[words.pk]), activity_post(
        elsewhere, kind="words", title="Un cuvânt", position=1,
    ))

    assert (await here.until(lambda f: f["type"] == "activities"))["activities"] == []
    assert titles(await there.until(lambda f: f["type"] == "activities")) == ["Un cuvânt"]
    await here.close()
    await there.close()
