"""The demo (README, "A walk through the demo"), loaded by `manage.py seed_demo`."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import override_settings
from wagtail.models import Page, Revision, Site

from workshop_site.offices.models import OfficePage, Service
from workshop_site.workshops.models import WorkshopPage

pytestmark = pytest.mark.django_db


def snapshot():
    """Everything seed_demo creates, in a comparable form."""
    return {
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
        assert "scaner" in office.equipment_missing_list
        assert office.team_group is not None

    live = WorkshopPage.objects.get(join_code="DEMO29")
    assert live.live and live.phase == "ideas"
    assert live.dots_per_participant == 3
    assert live.max_dots_per_idea is None
    assert live.blind_voting is False

    kickoff = WorkshopPage.objects.get(slug="atelier-de-lansare-2016")
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
