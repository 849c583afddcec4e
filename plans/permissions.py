"""The Wagtail admin's permission policy for plans and items, built on `plans.rules`, so the
admin asks the same question as the pages and the API."""

from wagtail.permission_policies.base import BasePermissionPolicy

from workshop_site.core.predicates import is_facilitator

from .rules import editable_plans_filter


class OfficePlanPermissionPolicy(BasePermissionPolicy):
    """Facilitators: everything. An office team: view, add and change its own office's plans
    and items, never delete (an item is dropped, not deleted). Nobody else."""

    def __init__(self, model, plan_path: str = ""):
        super().__init__(model)
        self.plan_path = plan_path  # "" for ActionPlan, "plan__" for ActionItem

    def _in_any_office_team(self, user) -> bool:
        return user.is_active and user.is_authenticated and user.groups.filter(office_pages__isnull=False).exists()

    def user_has_permission(self, user, action):
        if is_facilitator(user):
            return True
        return action in {"add", "change", "view"} and self._in_any_office_team(user)

    def user_has_permission_for_instance(self, user, action, instance):
        if action == "delete":
            return is_facilitator(user)
        if action == "view":
            return user.has_perm("plans.view_plan", instance)
        return user.has_perm("plans.change_plan", instance)

    def instances_user_has_any_permission_for(self, user, actions):
        queryset = self.model._default_manager.all()
        if set(actions) == {"delete"} and not is_facilitator(user):
            return queryset.none()
        plan_filter = editable_plans_filter(user)
        if plan_filter is None:
            return queryset
        return queryset.filter(**{self.plan_path + key: value for key, value in plan_filter.items()}).distinct()

    def users_with_any_permission(self, actions):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.filter(is_active=True)
