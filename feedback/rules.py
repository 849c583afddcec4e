"""Who sees pins and triages them: facilitators and the teams of the prototype's offices;
everyone sees the pins of a public version whose facilitator chose to show them."""

import rules

from prototypes.selectors import in_prototype_office_team
from workshop_site.core.predicates import is_facilitator


@rules.predicate
def is_team_of_the_feedbacks_prototype(user, feedback) -> bool:
    return feedback is not None and in_prototype_office_team(user, feedback.version.prototype)


rules.add_perm("feedback.triage_feedback", is_facilitator | is_team_of_the_feedbacks_prototype)
