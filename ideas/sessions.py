"""Which participant this browser is, per workshop, kept in the Django session.

HTTP views and the socket read the same key, so joining over HTTP (form or API) makes the
socket of the same browser that participant.
"""

from .selectors import Viewer, viewer_of

SESSION_KEY = "atelier.participants"


def remember_participant(session, participant) -> None:
    joined = dict(session.get(SESSION_KEY, {}))
    joined[str(participant.workshop_id)] = participant.pk
    session[SESSION_KEY] = joined
    session.modified = True


def participant_id_for(session, workshop_id: int) -> int | None:
    value = session.get(SESSION_KEY, {}).get(str(workshop_id))
    return value if isinstance(value, int) else None


def results_viewer(request, workshop, *, sees_all: bool) -> Viewer | None:
    """Who this browser is to the rule of who sees which ideas (`rules.idea_audience`): None
    for a facilitator (`sees_all`), else its participant in this workshop (if it joined) and
    their table."""
    if sees_all:
        return None
    return viewer_of(participant_id_for(request.session, workshop.pk))
