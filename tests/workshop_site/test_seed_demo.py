"""The demo (README, "A walk through the demo"), loaded by `manage.py seed_demo`."""

from html import unescape

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from wagtail.models import Page, Revision, Site

from workshop_site.offices.models import OfficePage, Service
from workshop_site.workshops.models import WorkshopPage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("bare_site")]


def snapshot():
    """Everything seed_demo creates, in a comparable form."""
    from ideas.models import (
        Activity,
        Idea,
        PollAnswer,
        PollOption,
        ScaleRating,
        ScaleStatement,
        Table,
        Theme,
        Vote,
    )

    return {
        "tables": sorted(Table.objects.values_list("workshop__join_code", "slug", "name", "office__slug")),
        "themes": sorted(Theme.objects.values_list("workshop__join_code", "title", "ideas__text")),
        "activities": sorted(Activity.objects.values_list(
            "workshop__join_code", "position", "kind", "title", "phase", "is_current", "blind", "max_choices")),
        "options": sorted(PollOption.objects.values_list("activity__title", "sort_order", "text")),
        "statements": sorted(ScaleStatement.objects.values_list("activity__title", "sort_order", "text")),
        "answers": sorted(PollAnswer.objects.values_list("participant_id", "activity_id", "options__text")),
        "ratings": sorted(ScaleRating.objects.values_list("participant_id", "statement_id", "value")),
        "ideas": sorted(Idea.objects.values_list("workshop__join_code", "activity__kind", "text")),
        "votes": Vote.objects.count(),
        "pages": sorted(Page.objects.values_list("url_path", "title", "live", "latest_revision_id")),
        "revisions": Revision.objects.count(),
        "users": sorted(get_user_model().objects.values_list("username", "password")),
        "groups": sorted(Group.objects.values_list("name", flat=True)),
        "memberships": sorted(get_user_model().groups.through.objects.values_list("user_id", "group_id")),
        "services": sorted(Service.objects.values_list("slug", "name")),
        "providers": OfficePage.objects.values_list("providers__name").count(),
        "sites": list(Site.objects.values_list("root_page_id", "is_default_site")),
    }


@override_settings(DEBUG=True)
def test_seed_demo_twice_changes_nothing(capsys):
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first
    assert "nothing changed" in capsys.readouterr().out


@override_settings(DEBUG=True)
def test_the_demo_holds_the_pilot_offices_workshops_and_users():
    call_command("seed_demo")
    offices = {o.slug: o for o in OfficePage.objects.live().filter(locale__language_code="ro")}
    assert set(offices) == {"dubasari", "calarasi", "rezina"}
    for office in offices.values():
        assert office.providers.count() == 6
        assert {p.sector for p in office.providers.all()} == {"public", "private", "associative"}
        assert (office.mobile_team_vehicle_seats, office.mobile_team_specialists) == (4, 9)
        assert "acces la registrele electronice" in office.equipment_missing_list
        assert office.team_group is not None
    # Rezina (where DEMO29 asks how to do without one) and Dubăsari still wait for their scanner.
    assert {slug for slug, office in offices.items() if "scaner" in office.equipment_missing_list} == {
        "rezina", "dubasari"}

    live = WorkshopPage.objects.get(join_code="DEMO29")
    assert live.live and live.phase == "ideas"
    assert live.dots_per_participant == 3
    assert live.max_dots_per_idea is None
    assert live.blind_voting is False

    kickoff = WorkshopPage.objects.get(slug="atelier-de-lansare-2016", locale__language_code="ro")
    assert kickoff.phase == "closed"
    assert kickoff.starts_at.date().isoformat() == "2016-03-29"
    assert set(kickoff.offices.values_list("slug", flat=True)) == set(offices)

    assert Service.objects.filter(slug="indemnizatia-de-maternitate", institution__contains="CNAS").exists()

    User = get_user_model()
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="facilitator").groups.filter(name="Facilitators").exists()
    for slug in ("rezina", "calarasi", "dubasari"):
        user = User.objects.get(username=slug)
        assert list(user.groups.all()) == [offices[slug].team_group]
        assert user.check_password("atelier-demo")
    assert Site.objects.get(is_default_site=True).root_page.specific_class.__name__ == "HomePage"


@override_settings(DEBUG=True)
def test_demo_password_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "another-secret-42")
    call_command("seed_demo")
    assert get_user_model().objects.get(username="facilitator").check_password("another-secret-42")


@override_settings(DEBUG=False)
def test_seed_demo_refuses_to_run_with_debug_off():
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("seed_demo")
    assert not get_user_model().objects.exists()


@override_settings(DEBUG=False)
def test_seed_demo_runs_with_debug_off_when_forced():
    call_command("seed_demo", "--force")
    assert WorkshopPage.objects.filter(join_code="DEMO29").exists()


@override_settings(DEBUG=True)
def test_the_demo_rooms_have_their_ideas(client):
    from ideas.models import Idea, Vote

    call_command("seed_demo")
    live = WorkshopPage.objects.get(join_code="DEMO29")
    assert Idea.objects.filter(workshop=live, hidden=False).count() >= 3
    assert not Vote.objects.filter(idea__workshop=live).exists()
    results = client.get("/api/workshops/KICK16/results").json()
    votes = [i["votes"] for i in results["ideas"]]
    assert votes == sorted(votes, reverse=True) and votes[0] > 0
    assert "echipa mobilă" in {t for i in results["ideas"] for t in i["tags"]}


@override_settings(DEBUG=True)
def test_demo29_seats_its_three_offices_at_tables_and_brainstorms_by_table(client):
    from ideas.models import Activity

    call_command("seed_demo")
    live = WorkshopPage.objects.get(join_code="DEMO29")
    assert Activity.objects.get(workshop=live, kind="brainstorm").by_table
    joined = client.post("/api/workshops/DEMO29/participants", {"display_name": "Ana", "role": "citizen",
                                                                "table": "rezina"}, content_type="application/json")
    assert joined.status_code == 201
    state = client.get("/api/workshops/DEMO29/state").json()
    assert [table["name"] for table in state["tables"]] == ["Călărași", "Dubăsari", "Rezina"]
    # Ana sits at Rezina's table while the brainstorm collects ideas: Rezina's ideas alone.
    assert {idea["table"] for idea in state["ideas"]} == {"rezina"}
    assert len(state["ideas"]) == 3
    results = client.get("/api/workshops/DEMO29/results").json()
    assert {theme["title"]: len(theme["ideas"]) for theme in Client().get(
        "/api/workshops/DEMO29/results").json()["themes"]} == {"Echipa mobilă": 3, "Acte": 2}
    assert {idea["table"] for idea in results["ideas"]} == {"rezina"}
    # The online ideas, in no theme yet, are what the console suggests grouping.
    facilitator = Client()
    facilitator.force_login(get_user_model().objects.get(username="facilitator"))
    every_idea = {idea["text"]: idea["id"] for idea in facilitator.get("/api/workshops/DEMO29/state").json()["ideas"]}
    online = [pk for text, pk in every_idea.items() if text.startswith(("Cererea de indemnizație", "Statutul cererii"))]
    assert facilitator.get("/api/workshops/DEMO29/theme-suggestions").json() == [
        {"label": "Cererea online", "ideas": online}]


DEMO29_RUN = [
    ("poll", "Din ce raion veniți?"),
    ("scale", "Cât de ușor este azi…"),
    ("brainstorm", "Echipa mobilă: serviciul livrat pe loc, în sat"),
    ("words", "Un cuvânt pentru BCIS-ul ideal"),
]


def run_of(join_code: str) -> list[dict]:
    """The run of show as the room's snapshot gives it to every phone."""
    from ideas.selectors import run_of_show

    room = WorkshopPage.find_by_code(join_code)
    return run_of_show(room, participant_id=None, sees_tallies=False)


@override_settings(DEBUG=True)
def test_demo29_runs_its_four_activities_in_order_the_room_on_the_brainstorm():
    from ideas.models import Activity, Idea

    call_command("seed_demo")
    run = run_of("DEMO29")
    assert [(a["kind"], a["title"]) for a in run["activities"]] == DEMO29_RUN
    assert [a["phase"] for a in run["activities"]] == ["draft", "draft", "ideas", "draft"]
    live = WorkshopPage.objects.get(join_code="DEMO29")
    poll, scale, brainstorm, words = Activity.objects.filter(workshop=live).order_by("position")
    assert run["current_activity"] == brainstorm.pk and run["activity"]["phase"] == "ideas"
    assert run["activity"]["dots_per_participant"] == 3
    assert [o.text for o in poll.options.all()] == ["Dubăsari", "Călărași", "Rezina", "alt raion"]
    assert poll.max_choices == 1
    assert [s.text for s in scale.statements.all()] == [
        "să aflu ce acte trebuie", "să depun cererea", "să aflu în ce stadiu este dosarul"]
    assert (scale.scale_min_label, scale.scale_max_label) == ("foarte greu", "foarte ușor")
    assert not any(a.blind for a in (poll, scale, brainstorm, words))  # open tallies
    # The starter ideas are the brainstorm's.
    assert Idea.objects.filter(workshop=live).count() == Idea.objects.filter(activity=brainstorm).count() >= 3


@override_settings(DEBUG=True)
def test_the_russian_demo29_shows_the_same_run_of_show():
    from ideas.models import Activity
    from workshop_site.core.i18n import canonical

    call_command("seed_demo")
    live = WorkshopPage.objects.get(join_code="DEMO29")
    russian = WorkshopPage.objects.get(translation_key=live.translation_key, locale__language_code="ru")
    assert not Activity.objects.filter(workshop=russian).exists()  # the room is the original's
    assert canonical(russian).pk == live.pk
    assert run_of(russian.join_code) == run_of("DEMO29")


@override_settings(DEBUG=True)
def test_kick16_has_closed_results_for_a_poll_a_scale_and_its_brainstorm(client):
    from ideas.selectors import activities_results

    call_command("seed_demo")
    kickoff = WorkshopPage.objects.get(join_code="KICK16")
    results = activities_results(kickoff, sees_all=False)  # as the public results page reads them
    assert [(a["kind"], a["phase"]) for a in results] == [("poll", "closed"), ("scale", "closed"),
                                                           ("brainstorm", "closed")]
    poll, scale, brainstorm = results
    assert poll["results"]["respondents"] == 18
    assert {role: figures["respondents"] for role, figures in poll["by_role"].items()} == {
        "citizen": 3, "provider": 9, "office_staff": 6, "other": 0}
    # Citizens and providers far apart: the results page's note.
    assert {d["text"] for d in poll["disagreements"]} >= {"Actele cerute de la mai multe instituții",
                                                         "Drumul până la birou"}
    assert all(d["points"] > 20 for d in poll["disagreements"] + scale["disagreements"])
    assert {d["text"] for d in scale["disagreements"]} == {"să aflu ce acte trebuie", "să depun cererea"}
    assert scale["results"]["respondents"] == 18
    votes = [idea["votes"] for idea in brainstorm["results"]["ideas"]]
    assert votes == [9, 8, 7, 5, 2]
    # The public results page shows every kind.
    html = unescape(client.get("/w/KICK16/results/").content.decode())
    for shown in ("Unde se blochează cel mai des dosarul unui cetățean?", "Drumul până la birou",
                  "Cât de ușor este azi, pentru un cetățean…", "să depun cererea", "Ghișeu unic"):
        assert shown in html


@override_settings(DEBUG=True)
def test_reseeding_a_database_from_before_runs_of_show_completes_them_without_duplicates():
    """A demo loaded before activities existed: migration 0005 made each workshop's board a
    brainstorm at position 0, current, holding its ideas. Seeding again builds the run of show
    around it."""
    import importlib

    from django.apps import apps

    from ideas.models import Activity, Idea

    call_command("seed_demo")
    Idea.objects.update(activity=None)
    Activity.objects.all().delete()  # with the kickoff's answers, which an old demo did not have
    importlib.import_module("ideas.migrations.0005_boards_become_brainstorms").boards_to_brainstorms(apps, None)
    old = dict(Activity.objects.filter(kind="brainstorm").values_list("workshop__join_code", "pk"))

    call_command("seed_demo")

    run = run_of("DEMO29")
    assert [(a["kind"], a["title"]) for a in run["activities"]] == DEMO29_RUN
    assert run["current_activity"] == old["DEMO29"]  # the board, kept, with its ideas
    assert not Idea.objects.filter(workshop__join_code="DEMO29").exclude(activity_id=old["DEMO29"]).exists()
    assert [a["kind"] for a in run_of("KICK16")["activities"]] == ["poll", "scale", "brainstorm"]
    assert run_of("KICK16")["current_activity"] == old["KICK16"]
    assert Activity.objects.count() == 7
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first


@override_settings(DEBUG=True)
def test_an_office_page_and_its_plan_agree_on_the_scanner(client):
    """The finding: Rezina listed the scanner as missing while its "portable scanner" item was
    100% done. Wherever the page lists the scanner as missing, the item is not done, and back."""
    call_command("seed_demo")
    for office in OfficePage.objects.filter(locale__language_code="ro"):
        html = unescape(client.get(office.url).content.decode())
        page = BeautifulSoup(html, "html.parser")
        missing = [li.get_text(strip=True) for li in page.find(string="Echipament care lipsește").find_next("ul")("li")]
        row = next(tr for tr in page.select(".plan-items tbody tr") if "Scaner portabil" in tr.get_text())
        done = row.select_one(".badge").get_text(strip=True) == "finalizată"
        assert ("scaner" in missing) is not done, office.slug
        assert row.select_one(".item-progress").get_text() == ("100%" if done else "60%")


@override_settings(DEBUG=True)
def test_the_russian_demo_reads_in_russian(client):
    call_command("seed_demo")
    client.cookies["atelier_language"] = "ru"

    def shown(url: str) -> str:
        response = client.get(url)
        assert response.status_code == 200, url
        main = BeautifulSoup(response.content.decode(), "html.parser").main
        return " ".join(main.get_text(" ", strip=True).split())

    service = shown("/services/indemnizatia-de-maternitate/")
    for russian in ("Пособие по беременности и родам: сегодня (26 шагов)", "Получает больничный лист у семейного врача",
                    "удостоверение личности", "Пособие по беременности и родам: онлайн (20 шагов)",
                    "Подаёт заявление онлайн, с телефона или компьютера", "гражданин", "бэк-офис"):
        assert russian in service, russian
    assert "Obține certificatul" not in service and "buletin de identitate" not in service
    # The to-be steps say which Russian as-is steps they replace.
    assert "Получает выписку со счёта в банке" in service.split("онлайн (20 шагов)")[1]

    office = shown("/ru/birouri/rezina/")
    for russian in ("Территориальная касса социального страхования Резина", "Местное отделение банка",
                    "бесплатные юридические консультации", "г. Резина, ул. 27 Августа, 1",
                    "Пособие по беременности и родам"):  # the service map's card
        assert russian in office, russian
    assert "Casa Teritorială" not in office and "Agenția bancară" not in office

    for url, russian, romanian in [
        ("/ru/ateliere/echipa-mobila/", "Что мы знаем о мобильной команде", "Ce știm despre echipa mobilă"),
        ("/ru/ateliere/atelier-de-lansare-2016/", "Путь гражданина через СБИУ: где он застревает", "Drumul cetățeanului"),
    ]:
        agenda = shown(url)
        assert russian in agenda and romanian not in agenda, url

    # The Romanian reader keeps the Romanian words, at the same address.
    client.cookies["atelier_language"] = "ro"
    service = shown("/services/indemnizatia-de-maternitate/")
    assert "Obține certificatul de concediu medical la medicul de familie" in service
    assert "Получает" not in service


@override_settings(DEBUG=True)
def test_rezinas_table_already_sent_its_first_ideas_to_rezinas_plan_once(client):
    from ideas.models import Idea
    from plans.models import ActionItem

    call_command("seed_demo")
    call_command("seed_demo")
    sent = ActionItem.objects.filter(plan__office__slug="rezina", ideas__workshop__join_code="DEMO29")
    assert sorted(sent.values_list("title", flat=True)) == sorted(
        Idea.objects.filter(workshop__join_code="DEMO29", table__slug="rezina").order_by("created", "pk")
        .values_list("text", flat=True)[:2])
    assert not ActionItem.objects.filter(plan__office__slug="calarasi", ideas__workshop__join_code="DEMO29").exists()
    plan = client.get("/api/offices/rezina/plan").json()
    titles = {item["title"] for p in plan["plans"] for item in p["items"]}
    assert set(sent.values_list("title", flat=True)) <= titles


@override_settings(DEBUG=True)
def test_the_live_screens_show_demo29s_title_in_the_readers_language():
    call_command("seed_demo")
    russian = Client(HTTP_ACCEPT_LANGUAGE="ru")
    title = "Мобильная команда: услуга на месте, в селе"
    assert title in russian.get("/w/DEMO29/screen/").content.decode()
    assert title in russian.get("/w/DEMO29/").content.decode()  # the join form
    assert russian.get("/api/workshops/DEMO29/state").json()["workshop"]["title"] == title
    assert Client().get("/api/workshops/DEMO29/state").json()["workshop"]["title"] == (
        "Echipa mobilă: serviciul livrat pe loc, în sat")
