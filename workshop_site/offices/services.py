"""Writes that concern offices."""

from django.db import transaction

from workshop_site.core.i18n import canonical
from workshop_site.core.roles import office_team_group_ensure

from .models import OfficePage


@transaction.atomic
def office_team_ensure(*, office: OfficePage) -> OfficePage:
    """Give `office` its own team group (once) with rights over that office only.

    Called by the admin hooks when an office is created or copied, and by the demo loader.
    A copied office gets a new group, never its original's.
    """
    group = office.team_group
    group = office_team_group_ensure(office=office, group=group)
    if office.team_group_id != group.pk:
        office.team_group = group
        # update(): no new revision, no change to what is published.
        OfficePage.objects.filter(pk=office.pk).update(team_group=group)
    return office


@transaction.atomic
def office_translation_link(*, source: OfficePage, translation: OfficePage) -> OfficePage:
    """A translation is the same office in other words: the same team keeps it."""
    translation.team_group = canonical(source).team_group
    if translation.team_group is None:
        return office_team_ensure(office=translation)
    office_team_group_ensure(office=translation, group=translation.team_group)
    OfficePage.objects.filter(pk=translation.pk).update(team_group=translation.team_group)
    return translation
