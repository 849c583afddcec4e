"""Telling a live room that its run of show was rewritten (issue #17): facilitators add, edit,
reorder and delete activities in the Wagtail admin while phones, the console and the wall are
open. The room hears of it once the write is committed (docs/protocol.md, "Run of show").

Called explicitly by the admin's views (`ideas.wagtail_hooks`), not from model signals: a
signal fires for each row the admin's form saves or deletes (the activity, then each option
or statement, each cascaded answer), before the inline rows are written, and for every other
writer (the services that move the room, which tell it themselves; the demo's seeding; tests).
"""

from django.db import transaction

from . import realtime
from .kinds.base import activity_rows
from .selectors import activity_summary, activity_view


def activities_frame(rows) -> dict:
    """The `activities` frame: the run of show (`activity_rows`) as the snapshot lists it."""
    return {
        "type": "activities",
        "activities": [activity_summary(row) for row in rows],
        "current_activity": next((row.id for row in rows if row.is_current), None),
    }


def run_of_show_changed(workshop_id: int, *, edited: int | None = None) -> None:
    """After the transaction commits, send the room its run of show as it then reads (one
    query). When `edited` (an activity's id) is the activity the room is on, the room first
    gets its new view (`activity`: title, prompt, options, statements) and, after the list,
    its figures (a removed option or statement takes its answers along)."""

    def publish() -> None:
        # Read after the commit: the frames carry what is stored, and an activity the console
        # moved the room away from meanwhile is not sent as the room's.
        rows = activity_rows(workshop_id)
        current = next((row for row in rows if row.is_current), None)
        edited_current = current is not None and current.id == edited
        if edited_current:
            realtime.publish(workshop_id, {"type": "activity", "activity": activity_view(current)})
        realtime.publish(workshop_id, activities_frame(rows))
        if edited_current:
            realtime.tallies_changed(workshop_id)

    # robust: the facilitator's write is committed; a room that cannot be told (the database
    # or the channel layer down) is logged, and its clients catch up at their next snapshot.
    transaction.on_commit(publish, robust=True)
