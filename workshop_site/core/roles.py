"""The staff roles of Atelier as Django groups, and the Wagtail permissions each carries.

Facilitators run every workshop and edit every office and plan. Each office has its own
team group, created with the office, that may edit that office's page only. The object-level
questions ("may this user edit that office?") are answered by the rules in `rules.py`;
the Wagtail page permissions set here mirror them so the page tree in the admin agrees.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
)

FACILITATORS = "Facilitators"
OFFICE_TEAM_PREFIX = "Office team: "

# Page permissions on the whole tree for facilitators, on their own office for a team.
FACILITATOR_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
OFFICE_TEAM_PAGE_PERMISSIONS = ["change_page", "publish_page"]
FACILITATOR_IMAGE_PERMISSIONS = ["add_image", "change_image", "choose_image", "delete_image"]
OFFICE_TEAM_IMAGE_PERMISSIONS = ["add_image", "choose_image"]
# Model permissions (app_label.codename) that every staff group needs.
STAFF_MODEL_PERMISSIONS = ["wagtailadmin.access_admin"]
FACILITATOR_MODEL_PERMISSIONS = [
    "offices.add_service",
    "offices.change_service",
    "offices.delete_service",
    "ideas.view_idea",
    "ideas.change_idea",
    "ideas.view_participant",
    "ideas.change_participant",
    "prototypes.add_prototype",
    "prototypes.change_prototype",
    "prototypes.delete_prototype",
    "prototypes.add_prototypeversion",
    "prototypes.change_prototypeversion",
    "prototypes.view_prototypeversion",
    "prototypes.add_servicemap",
    "prototypes.change_servicemap",
    "prototypes.delete_servicemap",
    "simple_translation.submit_translation",
]
# A team may translate the office page it keeps (Wagtail still asks for edit rights on it).
OFFICE_TEAM_MODEL_PERMISSIONS = ["simple_translation.submit_translation"]
# Office teams triage their prototypes' feedback and keep their plans in the admin; the
# object-level rules decide which ones.


def _permissions(names: list[str]) -> list[Permission]:
    found = []
    for name in names:
        app_label, codename = name.split(".")
        found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return found


def _grant_pages(group: Group, page: Page, codenames: list[str]) -> None:
    for codename in codenames:
        permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
        GroupPagePermission.objects.get_or_create(group=group, page=page, permission=permission)


def _grant_images(group: Group, codenames: list[str]) -> None:
    root = Collection.get_first_root_node()
    for codename in codenames:
        permission = Permission.objects.get(content_type__app_label="wagtailimages", codename=codename)
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=root, permission=permission
        )


@transaction.atomic
def facilitators_group_ensure(*, root_page: Page) -> Group:
    """Create (or complete) the Facilitators group with rights over the tree under `root_page`."""
    group, _created = Group.objects.get_or_create(name=FACILITATORS)
    group.permissions.add(*_permissions(STAFF_MODEL_PERMISSIONS + FACILITATOR_MODEL_PERMISSIONS))
    _grant_pages(group, root_page, FACILITATOR_PAGE_PERMISSIONS)
    _grant_images(group, FACILITATOR_IMAGE_PERMISSIONS)
    return group


def office_team_group_name(office_title: str) -> str:
    # Group names are unique and at most 150 characters.
    return (OFFICE_TEAM_PREFIX + office_title)[:150]


@transaction.atomic
def office_team_group_ensure(*, office: Page, group: Group | None) -> Group:
    """The office's own team group with the right to edit and publish that office only.

    Office teams get no user-management or settings rights: anyone who can edit groups
    can make themselves a facilitator.
    """
    if group is None:
        name = office_team_group_name(office.title)
        taken = Group.objects.filter(name=name).exclude(office_pages__isnull=True)
        if taken.exclude(office_pages=office).exists():
            name = office_team_group_name(f"{office.title} #{office.pk}")
        group, _created = Group.objects.get_or_create(name=name)
    group.permissions.add(*_permissions(STAFF_MODEL_PERMISSIONS + OFFICE_TEAM_MODEL_PERMISSIONS))
    _grant_pages(group, office, OFFICE_TEAM_PAGE_PERMISSIONS)
    _grant_images(group, OFFICE_TEAM_IMAGE_PERMISSIONS)
    return group
