"""Admin forms for plans and items. Item edits are saved through `plans.services`, so the
admin keeps the same history and checks as the pages and the API."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from workshop_site.core.errors import DomainError
from workshop_site.core.i18n import canonical_pages
from workshop_site.offices.forms import offices_one_per_family
from workshop_site.offices.models import OfficePage

from . import services
from .models import ActionItem, ActionPlan
from .rules import editable_plans_filter


class ActionPlanAdminForm(WagtailAdminModelForm):
    class Meta:
        model = ActionPlan
        fields = ["office", "workshop", "title", "description", "published"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plan_filter = editable_plans_filter(self.for_user) if self.for_user else {"pk__in": []}
        offices = canonical_pages(OfficePage.objects.all()).order_by("title")
        if plan_filter is not None:
            offices = offices.filter(team_group__in=self.for_user.groups.all())
        offices_one_per_family(self.fields["office"], offices)  # named in the reader's language


class ActionItemAdminForm(WagtailAdminModelForm):
    note = forms.CharField(label=_("Note for the history"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = ActionItem
        fields = list(services.EDITABLE) + ["plan"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plan_filter = editable_plans_filter(self.for_user) if self.for_user else {"pk__in": []}
        plans = ActionPlan.objects.select_related("office").order_by("office__title", "title")
        if plan_filter is not None:
            plans = plans.filter(**plan_filter)
        self.fields["plan"].queryset = plans
        if self.instance.pk:
            self.fields["plan"].disabled = True  # an item stays in its plan

    def _changes(self) -> dict:
        return {
            name: self.cleaned_data.get(name) for name in self.changed_data if name in services.EDITABLE
        }

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        plan = data.get("plan") or self.instance.plan
        probe = self.instance if self.instance.pk else type(self.instance)(plan=plan)
        try:
            if not self.for_user.has_perm("plans.change_plan", plan):
                raise DomainError(_("Only this office's team or a facilitator may change its plan."))
            services.clean_changes(probe, self._changes())
        except DomainError as error:
            raise forms.ValidationError(error.message) from None
        return data

    def save(self, commit=True):
        # The admin views read `form.instance` after saving: point it at the stored item.
        try:
            if self.instance.pk:
                self.instance = services.item_update(
                    user=self.for_user, item_id=self.instance.pk, changes=self._changes(),
                    note=self.cleaned_data.get("note") or "", expected_revision=self.instance.revision,
                )
            else:
                fields = self._changes()
                title = fields.pop("title", self.cleaned_data.get("title"))
                self.instance = services.item_create(
                    user=self.for_user, plan=self.cleaned_data["plan"], title=title, **fields
                )
        except DomainError as error:
            raise forms.ValidationError(error.message) from None
        return self.instance
