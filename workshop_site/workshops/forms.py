"""The workshop page's admin form."""

from wagtail.admin.forms import WagtailAdminPageForm

from workshop_site.offices.forms import offices_one_per_family


class WorkshopPageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "offices" in self.fields:
            # "Offices served": each office once, not its Romanian and its Russian page.
            offices_one_per_family(self.fields["offices"])
