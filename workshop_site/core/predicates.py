"""Who someone is, as `rules` predicates composed in each app's `rules.py`.

Every door (Wagtail admin, public pages, the JSON API and the live socket) asks the same
named permission, which is built from these.
"""

import rules

from .roles import FACILITATORS


@rules.predicate
def is_facilitator(user) -> bool:
    """A logged-in member of Facilitators, or a superuser."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return FACILITATORS in _group_names(user)


@rules.predicate
def is_office_member(user, office) -> bool:
    """A logged-in member of `office`'s own team group (`office` may be None: then no)."""
    if office is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    team_group_id = getattr(office, "team_group_id", None)
    return team_group_id is not None and team_group_id in _group_ids(user)


def _group_names(user) -> set[str]:
    # Cached on the user object: one query per request, however many checks it makes.
    if not hasattr(user, "_atelier_group_names"):
        groups = list(user.groups.values_list("id", "name"))
        user._atelier_group_ids = {g[0] for g in groups}
        user._atelier_group_names = {g[1] for g in groups}
    return user._atelier_group_names


def _group_ids(user) -> set[int]:
    _group_names(user)
    return user._atelier_group_ids
