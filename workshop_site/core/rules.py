"""Object-level permissions of the shared site (offices, workshops)."""

import rules

from .predicates import is_facilitator, is_office_member

# Editing an office's own content (its page, and later its plans).
rules.add_perm("offices.change_office", is_facilitator | is_office_member)
