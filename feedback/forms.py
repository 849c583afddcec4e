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
