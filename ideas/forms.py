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
    table = forms.ChoiceField(label=_("Your table"), required=False,
                              help_text=_("The table you sit at: you brainstorm and vote with its people."))

    def __init__(self, *args, tables: list[tuple[str, str]] = (), **kwargs):
        """`tables`: the room's tables as (slug, name); without any there is nothing to choose."""
        super().__init__(*args, **kwargs)
        if tables:
            self.fields["table"].choices = [("", _("Choose your table")), *tables]
            self.fields["table"].required = True
        else:
            del self.fields["table"]


class ProxyParticipantForm(forms.Form):
    """A person without a phone, added by a helper."""

    display_name = forms.CharField(
        label=_("Name"), max_length=60, required=False,
        help_text=_("Leave empty for “Participant N”."), widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Role"), choices=ParticipantRole.choices, initial=ParticipantRole.CITIZEN)


class ProxyIdeaForm(forms.Form):
    text = forms.CharField(label=_("Their idea"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class ProxyDotsForm(forms.Form):
    numbers = forms.CharField(
        label=_("Idea numbers for their dots"), max_length=200,
        help_text=_("One number per dot, separated by spaces: “3 3 7” puts two dots on idea 3 and one on idea 7."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}),
    )

    def cleaned_numbers(self) -> list[int]:
        raw = self.cleaned_data["numbers"].replace(",", " ").replace(";", " ").split()
        if not raw or not all(part.isdigit() for part in raw):
            raise forms.ValidationError(_("Type idea numbers only, for example “3 3 7”."))
        return [int(part) for part in raw]
