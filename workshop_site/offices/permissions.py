"""What Wagtail's page permissions would allow on an office page beyond Atelier's rule.

Wagtail lets anyone with "change" and "publish" on a page delete it when it is a leaf, and
move it (moving counts as deleting and re-adding), and copy anything they may edit. An office
team keeps its own office's page current (`offices.change_office`); removing, moving or
duplicating an office is a facilitator's decision.
"""

from wagtail.models import PagePermissionTester

from workshop_site.core.predicates import is_facilitator


class OfficePagePermissionTester(PagePermissionTester):
    def can_delete(self, ignore_bulk=False):
        return is_facilitator(self.user) and super().can_delete(ignore_bulk=ignore_bulk)

    def can_copy(self):
        return is_facilitator(self.user) and super().can_copy()
