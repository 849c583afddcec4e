"""The Wagtail admin's permission policies for runs of show and tables, built on the rule
`ideas.run_workshop`, so the admin asks the same question as the console, the socket and the API."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _
from wagtail.permission_policies.base import BasePermissionPolicy

from workshop_site.core.roles import FACILITATORS

from .models import ActivityKind, Idea, Table

RUN_WORKSHOP = "ideas.run_workshop"


def deletion_refusal(activity) -> str | None:
    """Why this activity cannot be deleted now, or None. A facilitator may delete any step of
    their agenda, answers and all, except the one the room is on (the room would be left on
    nothing) and the brainstorm that holds the workshop's ideas (its board)."""
    if activity.is_current:
        return _("The room is on this activity: move the room to another activity before deleting it.")
    if activity.kind == ActivityKind.BRAINSTORM and Idea.objects.filter(activity_id=activity.pk).exists():
        return _("This brainstorm holds the workshop's ideas: it cannot be deleted.")
    return None


def table_deletion_refusal(table: Table) -> str | None:
    """Why this table cannot be deleted, or None. Its people would be left at no table without
    being told, and its ideas would lose the table they were posted at (`services.table_delete`
    refuses both too)."""
    if table.participants.exists():
        return _("People sit at this table: move them to another table on the helper's page before deleting it.")
    if table.ideas.exists():
        return _("Ideas were posted at this table: it keeps them, so it cannot be deleted. Rename it instead.")
    return None


class RunOfShowPermissionPolicy(BasePermissionPolicy):
    """Whoever may run workshops (facilitators, superusers) sees and edits every run of show;
    nobody else sees it at all (office teams and helpers included)."""

    @staticmethod
    def deletion_refusal(instance) -> str | None:
        return deletion_refusal(instance)

    def user_has_permission(self, user, action):
        return user.has_perm(RUN_WORKSHOP)

    def user_has_permission_for_instance(self, user, action, instance):
        if not user.has_perm(RUN_WORKSHOP, instance.workshop):
            return False
        # Wagtail then offers no "Delete" for it; the delete view says why (deletion_refusal).
        return action != "delete" or self.deletion_refusal(instance) is None

    def instances_user_has_any_permission_for(self, user, actions):
        queryset = self.model._default_manager.all()
        return queryset if user.has_perm(RUN_WORKSHOP) else queryset.none()

    def users_with_any_permission(self, actions):
        return get_user_model().objects.filter(Q(is_superuser=True) | Q(groups__name=FACILITATORS),
                                               is_active=True).distinct()


class TablePermissionPolicy(RunOfShowPermissionPolicy):
    """The room's tables: kept by the same people as its run of show (helpers move people
    between them on their page, but do not add or remove them)."""

    @staticmethod
    def deletion_refusal(instance) -> str | None:
        return table_deletion_refusal(instance)
