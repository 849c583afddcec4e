from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ItemStatus


class ItemProgressForm(forms.Form):
    """What a team changes most often: status, progress and a note (kept in the history)."""

    status = forms.ChoiceField(label=_("Status"), choices=ItemStatus.choices)
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    revision = forms.IntegerField(widget=forms.HiddenInput)
