from django.utils.translation import gettext_lazy as _
from wagtail import blocks

METHOD_CHOICES = [
    ("presentation", _("presentation")),
    ("ideas", _("idea generation")),
    ("voting", _("dot voting")),
    ("prototyping", _("prototyping")),
    ("testing", _("testing with citizens")),
    ("planning", _("action planning")),
    ("break", _("break")),
]


class AgendaItemBlock(blocks.StructBlock):
    """One slot of the workshop's agenda."""

    starts_at = blocks.TimeBlock(label=_("starts at"), required=False)
    duration_minutes = blocks.IntegerBlock(label=_("duration (minutes)"), required=False, min_value=1, max_value=600)
    title = blocks.CharBlock(label=_("title"), max_length=200)
    description = blocks.TextBlock(label=_("description"), required=False)
    method = blocks.ChoiceBlock(
        label=_("method"),
        required=False,
        choices=METHOD_CHOICES,
    )

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["method_label"] = dict(METHOD_CHOICES).get(value.get("method"), "")
        return context

    class Meta:
        icon = "time"
        label = _("agenda item")
        template = "blocks/agenda_item_block.html"


class AgendaBlock(blocks.StreamBlock):
    item = AgendaItemBlock()
    note = blocks.RichTextBlock(label=_("note"), features=["bold", "italic", "link", "ul"], icon="doc-full")

    class Meta:
        block_counts = {}
