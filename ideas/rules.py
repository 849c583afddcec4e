"""What each phase of a workshop allows, and who may run a workshop: one rule each.

`phase_allows` is the single answer to "may this happen now?"; services call it for every
door (socket, page, API, admin). Running the room (phase, timer, moderation) is the named
permission `ideas.run_workshop`, asked with `user.has_perm(..., workshop)`.
"""

import rules

from workshop_site.core.predicates import is_facilitator
from workshop_site.workshops.models import Phase

# action → the phases in which it is allowed
PHASE_RULES: dict[str, frozenset[str]] = {
    "join": frozenset({Phase.DRAFT, Phase.IDEAS, Phase.VOTING, Phase.RESULTS}),
    "post_idea": frozenset({Phase.IDEAS}),
    "vote": frozenset({Phase.VOTING}),
    "see_tallies": frozenset({Phase.RESULTS, Phase.CLOSED}),
}

# The order a facilitator normally walks; any phase may be set (going back is allowed).
PHASE_ORDER = [Phase.DRAFT, Phase.IDEAS, Phase.VOTING, Phase.RESULTS, Phase.CLOSED]


def phase_allows(phase: str, action: str) -> bool:
    return phase in PHASE_RULES[action]


def tallies_visible_to_participants(workshop) -> bool:
    """Blind voting hides tallies from participants until the results are shown."""
    return not workshop.blind_voting or phase_allows(workshop.phase, "see_tallies")


@rules.predicate
def is_workshop_facilitator(user, workshop) -> bool:
    # Any facilitator may run any workshop (the pilot's team is small and covers for each other).
    return is_facilitator(user)


rules.add_perm("ideas.run_workshop", is_workshop_facilitator)
rules.add_perm("ideas.moderate_idea", is_workshop_facilitator)
rules.add_perm("ideas.view_results_export", is_workshop_facilitator)


def can_see_results(user, workshop) -> bool:
    """Results (tallies, rankings, exports) are public unless blind voting still hides them."""
    return tallies_visible_to_participants(workshop) or bool(user and user.has_perm("ideas.run_workshop", workshop))
