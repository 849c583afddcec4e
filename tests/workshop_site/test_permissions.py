"""Who may edit what: one rule (offices.change_office), mirrored by Wagtail's page permissions,
checked from the Wagtail admin with the test client."""

import pytest
import rules
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from workshop_site.offices.models import OfficePage

pytestmark = pytest.mark.django_db


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def post_edit(client, page, **changes):
    """Submit the admin edit form of `page` with its current values plus `changes`, and publish."""
    form = client.get(edit_url(page)).context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        data[name] = "" if value is None else value
    # Inline providers formset and the agenda/tags widgets of the form.
    for key, value in form.formsets["providers"].management_form.initial.items():
        data[f"providers-{key}"] = value
    data.update({"title": page.title, "slug": page.slug, "district": page.district, "action-publish": "publish"})
    data["description"] = '{"blocks": [], "entityMap": {}}'
    data.update(changes)
    return client.post(edit_url(page), data)


def test_the_rule_exists():
    assert rules.perm_exists("offices.change_office")


@pytest.mark.parametrize(
    ("who", "office", "allowed"),
    [
        ("anonymous", "rezina", False),
        ("rezina_member", "rezina", True),
        ("rezina_member", "calarasi", False),
        ("calarasi_member", "calarasi", True),
        ("calarasi_member", "rezina", False),
        ("facilitator", "rezina", True),
        ("facilitator", "calarasi", True),
    ],
)
def test_rule_matrix_for_editing_an_office(request, tree, who, office, allowed):
    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    assert user.has_perm("offices.change_office", tree[office]) is allowed


def test_an_inactive_member_may_not_edit(tree, rezina_member):
    rezina_member.is_active = False
    rezina_member.save()
    assert not rezina_member.has_perm("offices.change_office", tree["rezina"])


def test_rezina_team_cannot_open_the_calarasi_edit_form(client, tree, rezina_member):
    client.force_login(rezina_member)
    response = client.get(edit_url(tree["calarasi"]))
    assert response.status_code in (302, 403)
    assert response.status_code != 200


def test_rezina_team_cannot_change_the_calarasi_page_by_posting(client, tree, rezina_member):
    client.force_login(rezina_member)
    before = OfficePage.objects.get(pk=tree["calarasi"].pk)
    response = client.post(
        edit_url(tree["calarasi"]),
        {"title": "Pirated", "slug": "calarasi", "district": "X", "action-publish": "publish"},
    )
    assert response.status_code in (302, 403)
    after = OfficePage.objects.get(pk=tree["calarasi"].pk)
    assert (after.title, after.district, after.latest_revision_id) == (
        before.title, before.district, before.latest_revision_id,
    )


def test_rezina_team_edits_and_publishes_its_own_office(client, tree, rezina_member):
    client.force_login(rezina_member)
    assert client.get(edit_url(tree["rezina"])).status_code == 200
    response = post_edit(client, tree["rezina"], address="str. Nouă 5")
    assert response.status_code == 302, response.content.decode()[:2000]
    office = OfficePage.objects.get(pk=tree["rezina"].pk)
    assert office.address == "str. Nouă 5"
    assert office.live and not office.has_unpublished_changes


def test_rezina_team_explores_only_its_own_office(client, tree, rezina_member):
    client.force_login(rezina_member)
    own_explorer = reverse("wagtailadmin_explore", args=[tree["rezina"].pk])
    # Wagtail roots the explorer at the part of the tree the user may edit.
    response = client.get(reverse("wagtailadmin_explore", args=[tree["office_index"].pk]))
    assert response.status_code == 302 and response["Location"] == own_explorer
    html = client.get(reverse("wagtailadmin_explore_root"), follow=True).content.decode()
    assert edit_url(tree["rezina"]) in html
    assert edit_url(tree["calarasi"]) not in html


def test_office_teams_cannot_manage_users_or_groups(client, tree, rezina_member):
    client.force_login(rezina_member)
    for name in ("wagtailusers_users:index", "wagtailusers_groups:index"):
        response = client.get(reverse(name))
        assert response.status_code in (302, 403), name


def test_facilitator_edits_any_office(client, tree, facilitator):
    client.force_login(facilitator)
    assert client.get(edit_url(tree["calarasi"])).status_code == 200
    response = post_edit(client, tree["calarasi"], address="str. Centrală 2")
    assert response.status_code == 302
    assert OfficePage.objects.get(pk=tree["calarasi"].pk).address == "str. Centrală 2"


def test_anonymous_is_sent_to_login(client, tree):
    response = client.get(edit_url(tree["rezina"]))
    assert response.status_code == 302
    assert reverse("wagtailadmin_login") in response["Location"]
