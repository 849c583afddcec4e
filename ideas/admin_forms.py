"""The admin forms of the run of show and the tables. An activity's: the rules that need its
options and statements, which the form holds (in its inline formsets) before anything is saved
(the rules that need only the activity itself are the model's, `Activity.clean`). A table's:
its name cleaned as the services clean it, and the workshop it belongs to fixed once made."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from workshop_site.core.errors import Invalid
from workshop_site.core.i18n import canonical_pages
from workshop_site.offices.models import OfficePage
from workshop_site.workshops.models import WorkshopPage

from .inputs import clean_text
from .kinds import poll, scale
from .models import Activity, ActivityKind, Table

# Which kind has which parts (its inline formset), and how many of them.
PARTS = {
    ActivityKind.POLL: ("options", poll.MIN_OPTIONS, poll.MAX_OPTIONS),
    ActivityKind.SCALE: ("statements", scale.MIN_STATEMENTS, scale.MAX_STATEMENTS),
}
TOO_FEW_OR_MANY = {
    "options": _("A poll needs from %(low)d to %(high)d options; this one has %(n)d."),
    "statements": _("A scale needs from %(low)d to %(high)d statements; this one has %(n)d."),
}
NOT_OF_THIS_KIND = {
    "options": _("Only a poll has options: remove them, or make this activity a poll."),
    "statements": _("Only a scale has statements: remove them, or make this activity a scale."),
}


def rooms_only(workshop: forms.ModelChoiceField | None, invalid_choice: str) -> None:
    """A workshop chooser that offers the rooms: original pages, never translations (a
    translation shows its original's room, activities and tables)."""
    if workshop is not None:
        workshop.queryset = canonical_pages(WorkshopPage.objects.all()).order_by("-starts_at", "pk")
        workshop.label_from_instance = lambda page: f"{page.title} ({page.join_code})"
        workshop.error_messages["invalid_choice"] = invalid_choice


WORDED = ("title", "prompt")


def wording_field(field: str, code: str) -> str:
    """The admin form's field of an activity's `field` (title or prompt) in language `code`."""
    return f"{field}_{code}"


def _wording_fields() -> dict[str, forms.Field]:
    fields = {}
    for code, _name in settings.LANGUAGES:
        fields[wording_field("title", code)] = forms.CharField(
            label=_("title"), required=False, max_length=Activity.MAX_TITLE)
        fields[wording_field("prompt", code)] = forms.CharField(
            label=_("prompt"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    return fields


# A title and a prompt per language of the site (fields the form class must declare for the
# Wagtail panels to use them; they fill `Activity.translations`).
ActivityWordingFields = type("ActivityWordingFields", (forms.Form,), _wording_fields())


class ActivityAdminForm(WagtailAdminModelForm, ActivityWordingFields):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rooms_only(self.fields.get("workshop"), _(
            "Choose a workshop's original page: a translation's activities are its original's."
        ))
        own = self._own_language()
        for code, _name in settings.LANGUAGES:
            for field in WORDED:
                name = wording_field(field, code)
                if code == own:  # its own title and prompt are the fields above
                    del self.fields[name]
                else:
                    self.initial.setdefault(name, (self.instance.translations.get(code) or {}).get(field, ""))
        if self.instance.is_settled():
            for name in ("workshop", "kind"):
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _(
                        "Fixed: the room is on this activity or people answered it."
                    )

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if not kind:
            return data
        if data.get("by_table") and kind != ActivityKind.BRAINSTORM:
            self.add_error("by_table", _("Only a brainstorm runs by table: untick it, or make this activity a brainstorm."))
        if data.get("private") and kind != ActivityKind.BRAINSTORM:
            self.add_error("private", _("Only a brainstorm has private writing: turn it off, or make this activity a "
                                        "brainstorm."))
        counts = {name: self._kept(name) for name in NOT_OF_THIS_KIND}
        wanted = PARTS.get(kind)
        for name, n in counts.items():
            if n and (wanted is None or wanted[0] != name):
                self.add_error(None, NOT_OF_THIS_KIND[name])
        if wanted is not None:
            name, low, high = wanted
            n = counts[name]
            if not low <= n <= high:
                self.add_error(None, TOO_FEW_OR_MANY[name] % {"low": low, "high": high, "n": n})
            elif kind == ActivityKind.POLL and (data.get("max_choices") or 0) > n:
                self.add_error("max_choices", _(
                    "Choices per person go from 1 to the number of the poll's options (%(n)d)."
                ) % {"n": n})
        return data

    def _own_language(self) -> str | None:
        workshop = self.instance.workshop if self.instance.workshop_id else None
        return workshop.locale.language_code if workshop is not None else None

    def save(self, commit=True):
        """The wording in other languages, each language's only where a title or prompt was
        given (the workshop's own language has none: its title and prompt are the activity's)."""
        own = self._own_language()
        translations = {}
        for code, _name in settings.LANGUAGES:
            given = {field: self.cleaned_data.get(wording_field(field, code)) or "" for field in WORDED}
            if code != own and any(given.values()):
                translations[code] = given
        self.instance.translations = translations
        return super().save(commit=commit)

    def _kept(self, name: str) -> int:
        """How many of the formset's rows will be there once saved: the stored ones not marked
        for deletion and the new ones filled in (a blank new row is dropped)."""
        formset = self.formsets.get(name)
        if formset is None:
            return 0
        formset.is_valid()  # cleans every row (its errors are shown beside it)
        kept = 0
        for form in formset.forms:
            if formset.can_delete and formset._should_delete_form(form):
                continue
            if form.instance.pk is None and not form.has_changed():
                continue
            kept += 1
        return kept


class TableAdminForm(WagtailAdminModelForm):
    """A table is added to the end of its workshop's tables (`services.table_create` makes its
    slug from the name); once made, it stays in its workshop (its people and ideas are that
    room's) and keeps its slug (phones and clients know it by it), whatever it is renamed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rooms_only(self.fields.get("workshop"), _(
            "Choose a workshop's original page: a translation's tables are its original's."
        ))
        office = self.fields.get("office")
        if office is not None:
            office.queryset = canonical_pages(OfficePage.objects.all()).order_by("title")
        if self.instance.pk is None:
            self.fields.pop("position", None)  # a new table comes last; reorder it once made
        elif "workshop" in self.fields:
            self.fields["workshop"].disabled = True
            self.fields["workshop"].help_text = _("Fixed: a table stays in the workshop it was made for.")

    def clean_name(self):
        try:
            return clean_text(self.cleaned_data.get("name") or "", field=_("The table's name"),
                              max_length=Table.MAX_NAME)
        except Invalid as refusal:
            raise forms.ValidationError(refusal.message) from None
