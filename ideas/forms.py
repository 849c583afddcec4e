from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ParticipantRole


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Workshop code"), max_length=14,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


class JoinForm(forms.Form):
    display_name = forms.CharField(
        label=_("Your name"), max_length=60,
        help_text=_("As others in the room will see it. A first name is enough."),
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    role = forms.ChoiceField(label=_("You are"), choices=ParticipantRole.choices, widget=forms.RadioSelect)
