"""Who may see drafts and edit prototypes: facilitators, and the teams of the prototype's offices."""

import rules

from workshop_site.core.predicates import is_facilitator

from .selectors import in_prototype_office_team


@rules.predicate
def is_team_of_prototype_office(user, prototype) -> bool:
    return in_prototype_office_team(user, prototype)


rules.add_perm("prototypes.view_draft", is_facilitator | is_team_of_prototype_office)
rules.add_perm("prototypes.edit_prototype", is_facilitator | is_team_of_prototype_office)


@rules.predicate
def is_published_version(user, version) -> bool:
    return bool(version is not None and version.published)


@rules.predicate
def is_team_of_the_versions_prototype(user, version) -> bool:
    return version is not None and is_team_of_prototype_office(user, version.prototype)


# Playing a version, pinning feedback on it, taking its tasks: published, or a draft for its team.
rules.add_perm("prototypes.view_version", is_published_version | is_facilitator | is_team_of_the_versions_prototype)
