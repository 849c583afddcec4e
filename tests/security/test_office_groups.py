"""No office team group holds user-management rights: whoever can edit users or groups can
make themselves a facilitator. Checked for every office team group there is, including the
one made for an office copied in the admin, on the permissions and through the admin doors."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.models import GroupPagePermission

from tests.factories import UserFactory
from workshop_site.core.roles import OFFICE_TEAM_PREFIX
from workshop_site.offices.models import OfficePage

pytestmark = pytest.mark.django_db

# Model permissions that manage people or their rights.
USER_MANAGEMENT_MODELS = {("users", "user"), ("auth", "group"), ("auth", "permission"),
                          ("wagtailusers", "userprofile")}
# Page permissions beyond editing and publishing one's own office.
OFFICE_TEAM_PAGE_RIGHTS = {"change_page", "publish_page"}


def office_team_groups() -> list[Group]:
    by_office = Group.objects.filter(pk__in=OfficePage.objects.values("team_group"))
    by_name = Group.objects.filter(name__startswith=OFFICE_TEAM_PREFIX)
    return list((by_office | by_name).distinct())


def assert_no_user_management(group: Group) -> None:
    held = {(p.content_type.app_label, p.content_type.model, p.codename)
            for p in Permission.objects.filter(group=group).select_related("content_type")}
    assert not {h for h in held if h[:2] in USER_MANAGEMENT_MODELS}, (group.name, held)
    # No settings, no sites, no collections management either.
    assert not {h for h in held if h[0] in ("wagtailcore", "wagtailsites", "wagtailusers")
                and h[2] != "access_admin"}, (group.name, held)
    page_rights = set(GroupPagePermission.objects.filter(group=group).values_list("permission__codename", flat=True))
    assert page_rights <= OFFICE_TEAM_PAGE_RIGHTS, (group.name, page_rights)


def assert_member_cannot_reach_user_admin(client, group: Group, victim) -> None:
    member = UserFactory()
    member.groups.add(group)
    client.force_login(member)
    for url in (reverse("wagtailusers_users:index"), reverse("wagtailusers_users:add"),
                reverse("wagtailusers_users:edit", args=[victim.pk]),
                reverse("wagtailusers_groups:index"), reverse("wagtailusers_groups:add"),
                reverse("wagtailusers_groups:edit", args=[group.pk])):
        assert client.get(url).status_code in (302, 403), (group.name, url)
    # Trying to put oneself into Facilitators changes nothing.
    facilitators = Group.objects.get(name="Facilitators")
    client.post(reverse("wagtailusers_users:edit", args=[member.pk]),
                {"username": member.username, "groups": [group.pk, facilitators.pk], "is_superuser": "on"})
    member.refresh_from_db()
    assert not member.is_superuser and not member.groups.filter(pk=facilitators.pk).exists()
    client.logout()


def test_no_office_team_group_manages_users(client, tree, facilitator):
    groups = office_team_groups()
    assert {g.pk for g in groups} >= {tree["rezina"].team_group_id, tree["calarasi"].team_group_id}
    for group in groups:
        assert_no_user_management(group)
        assert_member_cannot_reach_user_admin(client, group, facilitator)


def test_an_office_copied_in_the_admin_gets_a_team_group_without_user_management(client, tree, facilitator):
    client.force_login(facilitator)
    response = client.post(reverse("wagtailadmin_pages:copy", args=[tree["rezina"].pk]), {
        "new_title": "BCIS Rezina 2", "new_slug": "rezina-2", "new_parent_page": tree["office_index"].pk,
    })
    assert response.status_code == 302, response.content.decode()[:500]
    copy = OfficePage.objects.get(slug="rezina-2")
    assert copy.team_group_id and copy.team_group_id != tree["rezina"].team_group_id
    client.logout()
    for group in office_team_groups():
        assert_no_user_management(group)
    assert_member_cannot_reach_user_admin(client, copy.team_group, facilitator)


def test_facilitators_do_not_manage_users_either(client, tree, facilitator):
    # Only superusers (admin) do: a facilitator's account is a likelier target.
    facilitator_models = {
        (p.content_type.app_label, p.content_type.model)
        for p in Permission.objects.filter(group=tree["facilitators"]).select_related("content_type")
    }
    assert not facilitator_models & USER_MANAGEMENT_MODELS
    client.force_login(facilitator)
    assert client.get(reverse("wagtailusers_users:index")).status_code in (302, 403)
