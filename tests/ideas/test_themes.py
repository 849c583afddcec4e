"""Themes (issue #18): a facilitator groups a brainstorm's ideas into affinity clusters; their
ideas stay individually votable, their dots add up per theme, and every refusal changes nothing."""

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from ideas import selectors, services
from ideas.models import Activity, Idea, Theme
from tests.factories import UserFactory, WorkshopPageFactory
from workshop_site.core.errors import Forbidden, Invalid, NotFound

from .conftest import set_phase
from .factories import IdeaFactory, ParticipantFactory
from .live import Socket, joined_cookie, logged_in_cookie


def _room(workshop):
    brainstorm = Activity.objects.create(workshop=workshop, kind="brainstorm", title="Probleme", is_current=True,
                                         phase="voting", dots_per_participant=3)
    set_phase(workshop, "voting")
    texts = ["Lista unică de acte", "Actele aduse de echipa mobilă", "Scaner în mașina echipei"]
    ideas = [IdeaFactory(workshop=workshop, activity=brainstorm, text=text) for text in texts]
    voters = [ParticipantFactory(workshop=workshop) for _ in range(2)]
    return brainstorm, ideas, voters


@pytest.mark.django_db
def test_a_themes_ideas_stay_votable_and_their_dots_add_up(workshop, facilitator):
    _brainstorm, ideas, voters = _room(workshop)
    documents = services.theme_create(user=facilitator, workshop_id=workshop.pk, title="Acte",
                                      ideas=[ideas[0].pk, ideas[1].pk])
    for voter in voters:
        services.vote_cast(participant_id=voter.pk, idea_id=ideas[0].pk)
    services.vote_cast(participant_id=voters[0].pk, idea_id=ideas[1].pk)
    services.vote_cast(participant_id=voters[1].pk, idea_id=ideas[2].pk)
    body = Client().get("/api/workshops/LIVE23/results").json()
    assert body["themes"] == [{"id": documents.pk, "title": "Acte", "activity": _brainstorm.pk,
                               "ideas": [ideas[0].pk, ideas[1].pk], "votes": 3}]
    assert {idea["id"]: idea["votes"] for idea in body["ideas"]} == {ideas[0].pk: 2, ideas[1].pk: 1, ideas[2].pk: 1}
    state = selectors.snapshot(workshop, participant_id=None, sees_tallies=True)
    assert state["themes"] == [{"id": documents.pk, "title": "Acte", "ideas": [ideas[0].pk, ideas[1].pk]}]
    assert [idea["theme"] for idea in state["ideas"]] == [documents.pk, documents.pk, None]


@pytest.mark.django_db
def test_rename_move_and_dissolve_keep_the_ideas_and_their_dots(workshop, facilitator):
    _brainstorm, ideas, voters = _room(workshop)
    services.vote_cast(participant_id=voters[0].pk, idea_id=ideas[2].pk)
    theme = services.theme_create(user=facilitator, workshop_id=workshop.pk, title="Echipa")
    services.idea_theme_set(user=facilitator, workshop_id=workshop.pk, idea_id=ideas[2].pk, theme_id=theme.pk)
    services.theme_rename(user=facilitator, workshop_id=workshop.pk, theme_id=theme.pk, title="Echipa mobilă")
    assert selectors.themes_of(workshop.pk) == [
        {"id": theme.pk, "title": "Echipa mobilă", "activity": _brainstorm.pk, "ideas": [ideas[2].pk]}]
    services.idea_theme_set(user=facilitator, workshop_id=workshop.pk, idea_id=ideas[2].pk, theme_id=None)
    assert selectors.themes_of(workshop.pk)[0]["ideas"] == []
    services.theme_dissolve(user=facilitator, workshop_id=workshop.pk, theme_id=theme.pk)
    assert not Theme.objects.exists()
    assert Idea.objects.filter(hidden=False).count() == 3
    assert selectors.tallies(workshop.pk)[str(ideas[2].pk)] == 1


@pytest.mark.django_db
def test_merging_two_ideas_of_a_theme_keeps_the_kept_one_in_it(workshop, facilitator):
    _brainstorm, ideas, voters = _room(workshop)
    theme = services.theme_create(user=facilitator, workshop_id=workshop.pk, title="Acte",
                                  ideas=[ideas[0].pk, ideas[1].pk])
    services.vote_cast(participant_id=voters[0].pk, idea_id=ideas[1].pk)
    services.idea_merge(user=facilitator, keep_id=ideas[0].pk, duplicate_id=ideas[1].pk)
    body = Client().get("/api/workshops/LIVE23/results").json()
    assert body["themes"][0]["ideas"] == [ideas[0].pk] and body["themes"][0]["votes"] == 1
    assert selectors.themes_of(workshop.pk)[0]["id"] == theme.pk


@pytest.mark.django_db
def test_a_theme_of_another_workshop_or_a_stranger_changes_nothing(workshop, facilitator, tree):
    _brainstorm, ideas, _voters = _room(workshop)
    other = WorkshopPageFactory(parent=tree["workshop_index"], title="Alt atelier", join_code="OTHER9", phase="ideas")
    foreign = Theme.objects.create(workshop=other, title="Altceva")
    with pytest.raises(NotFound):
        services.idea_theme_set(user=facilitator, workshop_id=workshop.pk, idea_id=ideas[0].pk, theme_id=foreign.pk)
    with pytest.raises(NotFound):
        services.theme_rename(user=facilitator, workshop_id=workshop.pk, theme_id=foreign.pk, title="X")
    with pytest.raises(NotFound):  # an idea of another workshop in a new theme
        services.theme_create(user=facilitator, workshop_id=other.pk, title="Y", ideas=[ideas[0].pk])
    with pytest.raises(Forbidden):
        services.theme_create(user=UserFactory(username="strain"), workshop_id=workshop.pk, title="Z")
    with pytest.raises(Invalid):
        services.theme_create(user=facilitator, workshop_id=workshop.pk, title="   ")
    assert list(Theme.objects.values_list("title", flat=True)) == ["Altceva"]
    assert not Idea.objects.filter(theme__isnull=False).exists()


@pytest.mark.django_db(transaction=True)
async def test_the_console_makes_themes_over_the_socket_and_phones_may_not(workshop, facilitator):
    _brainstorm, ideas, _voters = await database_sync_to_async(_room)(workshop)
    console = Socket("LIVE23", await database_sync_to_async(logged_in_cookie)(facilitator))
    phone = Socket("LIVE23", await database_sync_to_async(joined_cookie)("LIVE23"))
    await console.open()
    await phone.open()
    ref = await console.send("theme.create", title="Acte", ideas=[ideas[0].pk])
    ack = await console.reply(ref)
    assert ack["type"] == "ack"
    frame = await phone.receive()
    while frame["type"] != "themes":
        frame = await phone.receive()
    assert frame["themes"] == [{"id": ack["theme"], "title": "Acte", "activity": _brainstorm.pk,
                                "ideas": [ideas[0].pk]}]
    ref = await console.send("theme.assign", idea=ideas[1].pk, theme=ack["theme"])
    assert (await console.reply(ref))["theme"] == ack["theme"]
    refused = await phone.reply(await phone.send("theme.create", title="A mea"))
    assert refused["code"] == "forbidden"
    refused = await console.reply(await console.send("theme.assign", idea=ideas[1].pk, theme=10**6))
    assert refused["code"] == "not_found"
    assert await database_sync_to_async(lambda: list(Theme.objects.values_list("title", flat=True)))() == ["Acte"]
    await console.comm.disconnect()
    await phone.comm.disconnect()


# --- suggested themes --------------------------------------------------------------------------

DEMO_LIKE_IDEAS = [
    "O listă unică de acte cerute, afișată la primărie înainte de vizită",
    "Actele cerute de la primărie aduse la birou de funcționar, nu de cetățean",
    "Un scaner portabil și o imprimantă în mașina echipei mobile",
    "Programarea vizitelor echipei mobile prin telefon sau SMS",
    "Un loc în mașina echipei mobile pentru asistentul social",
    "Cererea de indemnizație depusă online, fără drum la raion",
    "Statutul cererii online, verificat de acasă",
]


def test_the_demos_documents_mobile_team_and_online_ideas_fall_into_separate_suggestions():
    from ideas.suggestions import suggest

    found = suggest(list(enumerate(DEMO_LIKE_IDEAS, start=1)))
    assert [(s.label, s.ideas) for s in found] == [
        ("Echipei mobile", [3, 4, 5]), ("Acte cerute", [1, 2]), ("Cererea online", [6, 7]),
    ]
    # The same ideas, the same suggestions, whatever else ran before.
    assert suggest(list(enumerate(DEMO_LIKE_IDEAS, start=1))) == found


def test_russian_ideas_are_grouped_by_their_stems_too():
    from ideas.suggestions import suggest

    found = suggest([(1, "Список документов в районе"), (2, "Документы для пособия в одном окне"),
                     (3, "Мобильной команде нужен сканер"), (4, "Мобильная команда приезжает в село"),
                     (5, "Очередь по телефону")])
    # "документов" and "Документы", "Мобильной команде" and "Мобильная команда" meet.
    assert [(s.label, s.ideas) for s in found] == [("Документов", [1, 2]), ("Мобильной команде", [3, 4])]


def test_a_word_every_idea_uses_groups_nothing_and_lone_ideas_are_left_alone():
    from ideas.suggestions import suggest

    assert suggest([(1, "Echipa mobilă cu scaner"), (2, "Echipa mobilă cu imprimantă"),
                    (3, "Echipa mobilă cu program")]) == []
    assert suggest([(1, "Scaner portabil")]) == []


@pytest.mark.django_db
def test_the_console_gets_suggestions_for_ideas_not_yet_in_a_theme_and_phones_do_not(workshop, facilitator):
    brainstorm = Activity.objects.create(workshop=workshop, kind="brainstorm", title="Probleme", is_current=True,
                                         phase="ideas")
    ideas = [IdeaFactory(workshop=workshop, activity=brainstorm, text=text) for text in DEMO_LIKE_IDEAS]
    services.theme_create(user=facilitator, workshop_id=workshop.pk, title="Acte", ideas=[ideas[0].pk, ideas[1].pk])
    client = Client()
    client.force_login(facilitator)
    body = client.get("/api/workshops/LIVE23/theme-suggestions").json()
    assert body == [{"label": "Echipei mobile", "ideas": [ideas[2].pk, ideas[3].pk, ideas[4].pk]},
                    {"label": "Cererea online", "ideas": [ideas[5].pk, ideas[6].pk]}]
    assert Client().get("/api/workshops/LIVE23/theme-suggestions").status_code == 403


@pytest.mark.django_db
def test_the_results_page_lists_the_themes_with_their_votes_added_up(workshop, facilitator):
    _brainstorm, ideas, voters = _room(workshop)
    services.theme_create(user=facilitator, workshop_id=workshop.pk, title="Acte", ideas=[ideas[0].pk, ideas[1].pk])
    services.vote_cast(participant_id=voters[0].pk, idea_id=ideas[0].pk)
    services.vote_cast(participant_id=voters[1].pk, idea_id=ideas[1].pk)
    page = Client().get("/w/LIVE23/results/").content.decode()
    section = page[page.index('id="themes"'):]
    section = section[:section.index("</section>")]
    assert "Acte" in section and "Lista unică de acte" in section and "Scaner" not in section
    assert 'data-bar-value="2"' in section
