"""Who may read and edit plans, one rule each, asked by the admin, the pages and the API.

An office team edits its own office's plans only; facilitators edit all; everyone reads
published plans. The object may be a plan or an item (its plan's office decides).
"""

import rules

from workshop_site.core.predicates import is_facilitator, is_office_member


def _office(obj):
    plan = getattr(obj, "plan", obj)
    return getattr(plan, "office", None)


def _plan(obj):
    return getattr(obj, "plan", obj)


@rules.predicate
def is_team_of_the_plans_office(user, obj) -> bool:
    return is_office_member(user, _office(obj))


@rules.predicate
def is_published(user, obj) -> bool:
    plan = _plan(obj)
    return bool(plan is not None and plan.published)


can_edit = is_facilitator | is_team_of_the_plans_office

rules.add_perm("plans.view_plan", is_published | can_edit)
rules.add_perm("plans.change_plan", can_edit)


def editable_plans_filter(user) -> dict | None:
    """The same rule as a queryset filter on plans: None means every plan (facilitators);
    otherwise the plans of the offices whose team the user is in."""
    if is_facilitator(user):
        return None
    return {"office__team_group__in": user.groups.all()} if getattr(user, "is_authenticated", False) else {"pk__in": []}
