"""What each phase of a workshop allows, and who may run a workshop: one rule each.

`phase_allows` is the single answer to "may this happen now?"; services call it for every
door (socket, page, API, admin). Running the room (phase, timer, moderation) is the named
permission `ideas.run_workshop`, asked with `user.has_perm(..., workshop)`.
"""

from typing import NamedTuple

import rules

from workshop_site.core.predicates import is_facilitator
from workshop_site.workshops.models import Phase

from .models import PrivateWriting

# action → the phases in which it is allowed
PHASE_RULES: dict[str, frozenset[str]] = {
    "join": frozenset({Phase.DRAFT, Phase.OPEN, Phase.IDEAS, Phase.VOTING, Phase.RESULTS}),
    "post_idea": frozenset({Phase.IDEAS}),
    "vote": frozenset({Phase.VOTING}),
    "see_tallies": frozenset({Phase.RESULTS, Phase.CLOSED}),
    # Sticker dots are counted after (or while) the room votes; a closed workshop takes none.
    "paper_tally": frozenset({Phase.VOTING, Phase.RESULTS}),
}

# The order a facilitator normally walks; any phase may be set (going back is allowed).
PHASE_ORDER = [Phase.DRAFT, Phase.IDEAS, Phase.VOTING, Phase.RESULTS, Phase.CLOSED]


def phase_allows(phase: str, action: str) -> bool:
    return phase in PHASE_RULES[action]


def joinable(room_phase: str, *, show_goes_on: bool) -> bool:
    """Joining stays open until the workshop is over: a closed poll holding the room, with the
    brainstorm still to come, ends nothing. `show_goes_on`: an activity of the run of show is
    not closed (a workshop without activities is over when its room closes, as ever)."""
    return phase_allows(room_phase, "join") or show_goes_on


def results_shown(*, blind: bool, phase: str) -> bool:
    """The one blind rule: what is blind (a poll's answers, a brainstorm's dots) reaches the
    participants from the results phase of its own activity on; the rest is shown live."""
    return not blind or phase_allows(phase, "see_tallies")


def brainstorm_phase(room_phase: str, *, room_on_activity: bool, own_phase: str | None) -> str:
    """The brainstorm's phase: its own while the room is on another activity (a poll's results
    reveal no dots), else the room's (the brainstorm is current, or the room is on no activity:
    a board, as before runs of show)."""
    return own_phase if room_on_activity and own_phase else room_phase


def tallies_visible_to_participants(board) -> bool:
    """A blind brainstorm hides its dots from participants until its results. `board`: the
    room's brainstorm (`selectors.Board`), whose phase is not the room's while the room is on
    another activity (a poll's results reveal no dots)."""
    return results_shown(blind=board.blind, phase=board.phase)


def table_round(*, by_table: bool, phase: str) -> bool:
    """Whether a brainstorm keeps its tables apart now: it runs by table and collects ideas or
    votes (at its results everyone sees every table)."""
    return by_table and phase in (Phase.IDEAS, Phase.VOTING)


class Audience(NamedTuple):
    """Who sees an idea besides its author and the facilitators: the people of `table` (None:
    of no table), and, when `tableless`, the people at no table and observers (the wall)."""

    table: int | None
    tableless: bool


def idea_audience(board, idea_table: int | None) -> Audience | None:
    """The one rule of who sees which idea now, asked by the snapshot, the relay, a dot, the
    results page, its API and its exports. `board`: the idea's brainstorm (anything with
    `phase`, `by_table` and `private`); None: everyone sees it.

    While the brainstorm collects ideas in private, only the author's table (or the author)
    sees it; during a table round (`table_round`), the author's table and whoever sits at no
    table (a client that predates tables, the wall) see it; otherwise everyone does."""
    if board.private and board.phase == Phase.IDEAS:
        return Audience(idea_table if board.private == PrivateWriting.TABLE else None, tableless=False)
    if table_round(by_table=board.by_table, phase=board.phase):
        return Audience(idea_table, tableless=True)
    return None


def sees_idea(audience: Audience | None, *, viewer_table: int | None, is_author: bool, sees_all: bool) -> bool:
    """Whether a viewer sees an idea with this `audience` (`idea_audience`): its author and the
    facilitators (`sees_all`) always do."""
    return (sees_all or audience is None or is_author
            or (audience.table is not None and viewer_table == audience.table)
            or (audience.tableless and viewer_table is None))


@rules.predicate
def is_workshop_facilitator(user, workshop) -> bool:
    # Any facilitator may run any workshop (the pilot's team is small and covers for each other).
    return is_facilitator(user)


@rules.predicate
def is_workshop_helper(user, workshop) -> bool:
    """A staff user a facilitator made a helper of this workshop (`WorkshopHelper`)."""
    if workshop is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    from .models import WorkshopHelper

    return WorkshopHelper.objects.filter(workshop_id=workshop.pk, user_id=user.pk).exists()


rules.add_perm("ideas.run_workshop", is_workshop_facilitator)
# Entering paper participation: people without a phone (their ideas and dots) and tally sheets.
rules.add_perm("ideas.assist_workshop", is_workshop_facilitator | is_workshop_helper)
rules.add_perm("ideas.moderate_idea", is_workshop_facilitator)
rules.add_perm("ideas.view_results_export", is_workshop_facilitator)


def can_see_results(user, workshop, *, board) -> bool:
    """Results (tallies, rankings, exports) are public unless blind voting still hides them."""
    return tallies_visible_to_participants(board) or bool(user and user.has_perm("ideas.run_workshop", workshop))
