"""The Wagtail admin's permission policy for runs of show, built on the rule `ideas.run_workshop`,
so the admin asks the same question as the console, the socket and the API."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _
from wagtail.permission_policies.base import BasePermissionPolicy

from workshop_site.core.roles import FACILITATORS

from .models import ActivityKind, Idea

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


class RunOfShowPermissionPolicy(BasePermissionPolicy):
    """Whoever may run workshops (facilitators, superusers) sees and edits every run of show;
    nobody else sees it at all (office teams and helpers included)."""

    def user_has_permission(self, user, action):
        return user.has_perm(RUN_WORKSHOP)

    def user_has_permission_for_instance(self, user, action, instance):
        if not user.has_perm(RUN_WORKSHOP, instance.workshop):
            return False
        # Wagtail then offers no "Delete" for it; the delete view says why (deletion_refusal).
        return action != "delete" or deletion_refusal(instance) is None

    def instances_user_has_any_permission_for(self, user, actions):
        queryset = self.model._default_manager.all()
        return queryset if user.has_perm(RUN_WORKSHOP) else queryset.none()

    def users_with_any_permission(self, actions):
        return get_user_model().objects.filter(Q(is_superuser=True) | Q(groups__name=FACILITATORS),
                                               is_active=True).distinct()
