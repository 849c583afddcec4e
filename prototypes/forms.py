from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseModelFormSet, modelformset_factory
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from workshop_site.offices.forms import offices_one_per_family, services_one_per_family

from .models import Hotspot, MapKind, Screen


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        files = [f for f in files if f]
        if not files:
            raise ValidationError(_("Choose at least one picture."), code="required")
        return files


class ScreensUploadForm(forms.Form):
    files = MultipleFileField(
        label=_("Pictures of the screens"),
        help_text=_("PNG, JPEG or WebP; several at once. They are added in the order of their names."),
        widget=MultipleFileInput(attrs={"accept": "image/png,image/jpeg,image/webp", "multiple": True}),
    )


TARGET_CHOICES = [("", "—"), ("screen", _("another screen")), ("back", _("back")), ("url", _("a link"))]


class HotspotForm(forms.ModelForm):
    """One hotspot, as number fields (the keyboard alternative to drawing it)."""

    target_kind = forms.ChoiceField(label=_("leads to"), choices=TARGET_CHOICES)
    target_url = forms.URLField(label=_("leads to link"), required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = Hotspot
        fields = ["x", "y", "w", "h", "target_kind", "target_screen", "target_url", "label"]
        widgets = {name: forms.NumberInput(attrs={"step": "0.001", "min": "0", "max": "1"}) for name in ("x", "y", "w", "h")}

    def __init__(self, *args, screen: Screen, **kwargs):
        super().__init__(*args, **kwargs)
        self.screen = screen
        self.instance.screen = screen
        self.fields["target_screen"].queryset = Screen.objects.filter(version_id=screen.version_id).order_by("sort_order", "pk")
        self.fields["target_screen"].required = False
        if self.instance.pk:
            self.initial["target_kind"] = self.instance.target_kind

    def clean(self):
        data = super().clean()
        kind = data.get("target_kind")
        # Keep only the chosen target, so a leftover field cannot make two.
        if kind != "screen":
            data["target_screen"] = None
            self.instance.target_screen = None
        if kind != "url":
            data["target_url"] = ""
            self.instance.target_url = ""
        self.instance.back = kind == "back"
        if kind == "screen" and not data.get("target_screen"):
            self.add_error("target_screen", _("Choose the screen it leads to."))
        if kind == "url" and not data.get("target_url"):
            self.add_error("target_url", _("Enter the link (http:// or https://)."))
        return data


class BaseHotspotFormSet(BaseModelFormSet):
    def __init__(self, *args, screen: Screen, **kwargs):
        self.screen = screen
        super().__init__(*args, queryset=Hotspot.objects.filter(screen=screen).order_by("y", "x", "pk"), **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "screen": self.screen}

    @property
    def empty_form(self):
        form = self.form(auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), empty_permitted=True,
                         use_required_attribute=False, screen=self.screen, renderer=self.renderer)
        self.add_fields(form, None)
        return form


# One blank row, so a hotspot can be added with the number fields alone (no JavaScript).
HotspotFormSet = modelformset_factory(
    Hotspot, form=HotspotForm, formset=BaseHotspotFormSet, extra=1, can_delete=True, max_num=60, validate_max=True
)


class PrototypeForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each office and the service once, not their Romanian and their Russian copies.
        offices_one_per_family(self.fields["offices"])
        if "service" in self.fields:
            services_one_per_family(self.fields["service"])


class ServiceMapForm(WagtailAdminModelForm):
    """A to-be step may replace only as-is steps of the same service."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "service" in self.fields:
            services_one_per_family(self.fields["service"])

    def clean(self):
        data = super().clean()
        service = data.get("service")
        for form in self.formsets.get("steps", []).forms if hasattr(self, "formsets") else []:
            if not form.is_valid() or form.cleaned_data.get("DELETE"):
                continue
            for old in form.cleaned_data.get("replaces") or []:
                if old.map.kind != MapKind.AS_IS or (service and old.map.service_id != service.pk):
                    form.add_error("replaces", _("A to-be step can replace only as-is steps of the same service."))
                    self.add_error(None, _("Some steps replace steps of another service's map."))
                    break
        return data
