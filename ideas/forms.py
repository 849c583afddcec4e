from django import forms
from django.utils.translation import gettext_lazy as _

from workshop_site.core.errors import Invalid

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


# --- the participant's screen without JavaScript: each form is the socket message it stands for

PHONE_ACTIONS = ("idea.post", "vote.cast", "vote.retract", "poll.answer", "scale.rate", "words.add")


def phone_anchor(post) -> str:
    """The element of the phone's screen a form is about (the id the page returns to and shows
    what happened in): an idea's dots, the idea form, the current activity."""
    action = post.get("action")
    idea = post.get("idea", "")
    if action in ("vote.cast", "vote.retract") and idea.isascii() and idea.isdigit() and len(idea) <= 19:
        return f"idea-{idea}"
    return {"idea.post": "compose", "poll.answer": "activity", "scale.rate": "activity",
            "words.add": "activity"}.get(action, "")


def phone_messages(post) -> list[dict]:
    """The live protocol's messages (docs/protocol.md) a form of the phone's screen stands for,
    with its values as typed: the services check them as they check the socket's. A scale's
    form rates each statement at once: one `scale.rate` per statement rated."""
    action = post.get("action")
    if action not in PHONE_ACTIONS:
        raise Invalid(_("Unknown action."))
    if action == "idea.post":
        # `activity`: the brainstorm the page showed, should the room have moved on since.
        return [{"type": action, "text": post.get("text", ""), "tags": post.getlist("tags"),
                 "activity": post.get("activity") or None}]
    if action in ("vote.cast", "vote.retract"):
        return [{"type": action, "idea": post.get("idea", "")}]
    activity = post.get("activity", "")
    if action == "poll.answer":
        if not post.getlist("options"):
            raise Invalid(_("Choose an answer first."))
        return [{"type": action, "activity": activity, "options": post.getlist("options")}]
    if action == "words.add":
        return [{"type": action, "activity": activity, "text": post.get("text", "")}]
    rated = [
        {"type": action, "activity": activity, "statement": name.removeprefix("statement-"),
         # a radio's value as the socket's JSON number (a value the scale refuses stays text)
         "value": int(value) if value.isascii() and value.isdigit() and len(value) < 3 else value}
        for name, value in post.items() if name.startswith("statement-")
    ]
    if not rated:
        raise Invalid(_("Choose an answer first."))
    return rated
