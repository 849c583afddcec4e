"""Who may see drafts and edit prototypes: facilitators, and the teams of the prototype's offices."""

import rules

from workshop_site.core.predicates import is_facilitator


@rules.predicate
def is_team_of_prototype_office(user, prototype) -> bool:
    if prototype is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return prototype.offices.filter(team_group__in=user.groups.all()).exists()


rules.add_perm("prototypes.view_draft", is_facilitator | is_team_of_prototype_office)
rules.add_perm("prototypes.edit_prototype", is_facilitator | is_team_of_prototype_office)
