from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Feedback, FeedbackRole

RATING_CHOICES = [("", _("no rating")), *[(str(n), str(n)) for n in range(1, 6)]]


class FeedbackForm(forms.Form):
    """The no-JavaScript way to leave feedback on a screen (the pin goes where x, y say)."""

    text = forms.CharField(label=_("Your feedback"), max_length=Feedback.MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4}))
    rating = forms.TypedChoiceField(label=_("How easy was this screen? (1–5)"), choices=RATING_CHOICES, coerce=int,
                                    empty_value=None, required=False)
    role = forms.ChoiceField(label=_("You are"), choices=[("", "—"), *FeedbackRole.choices], required=False)
    x = forms.FloatField(label=_("Across (0 = left, 1 = right)"), min_value=0, max_value=1, initial=0.5)
    y = forms.FloatField(label=_("Down (0 = top, 1 = bottom)"), min_value=0, max_value=1, initial=0.5)


PATH_STEPS = 8


class TaskForm(forms.Form):
    """Define a test task on a version (the screens offered are that version's)."""

    instruction = forms.CharField(label=_("Instruction"), max_length=300,
                                  help_text=_("e.g. “Depuneți cererea pentru indemnizația de maternitate”"))
    start_screen = forms.ModelChoiceField(label=_("Start screen"), queryset=None)
    goal_screens = forms.ModelMultipleChoiceField(label=_("Goal screens"), queryset=None, widget=forms.CheckboxSelectMultiple)
    active = forms.BooleanField(label=_("Open for testers"), required=False, initial=True)

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        screens = version.screens.order_by("sort_order", "pk")
        self.fields["start_screen"].queryset = screens
        self.fields["goal_screens"].queryset = screens
        for step in range(1, PATH_STEPS + 1):
            self.fields[f"path_{step}"] = forms.ModelChoiceField(
                label=_("Expected path, step %(n)d") % {"n": step}, queryset=screens, required=False
            )

    def expected_path(self) -> list[int]:
        return [self.cleaned_data[f"path_{n}"].pk for n in range(1, PATH_STEPS + 1) if self.cleaned_data.get(f"path_{n}")]
