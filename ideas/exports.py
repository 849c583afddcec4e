"""Results as rows for CSV and XLSX (formula-safe cells come from core.exports)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from workshop_site.core.exports import xlsx_bytes

from . import selectors


def results_rows(workshop) -> list[list]:
    data = selectors.results(workshop)
    rows: list[list] = [[
        _("Rank"), _("Idea"), _("Tags"), _("Author's role"), _("Votes"), _("Phone"), _("Proxy"), _("Paper"),
        _("Idea no."), _("Entered by a helper"), _("Entered at"),
    ]]
    for idea in data["ideas"]:
        channels = idea["votes_by_channel"]
        rows.append([
            idea["rank"], idea["text"], ", ".join(idea["tags"]), idea["author_role_label"],
            idea["votes"], channels["phone"], channels["proxy"], channels["paper"],
            idea["number"], idea["entered_by"], _local(idea["entered_at"]),
        ])
    return rows


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def paper_rows(workshop) -> list[list]:
    """Every tally sheet, corrections included, so the paper count stays auditable."""
    rows: list[list] = [[
        _("Sheet"), _("Round"), _("People who voted on paper"), _("Paper dots"), _("Counts"), _("Corrects sheet"),
        _("Note"), _("Entered by"), _("Entered at"),
    ]]
    for sheet in selectors.tally_sheets(workshop.pk):
        rows.append([
            sheet["id"], sheet["round"], sheet["voters"], sheet["total"], _("yes") if sheet["current"] else _("no"),
            sheet["corrects"] or "", sheet["note"], sheet["entered_by"], _local(sheet["entered_at"]),
        ])
    return rows


def proxy_rows(workshop) -> list[list]:
    rows: list[list] = [[_("Participant"), _("Idea no."), _("Idea"), _("Entered by"), _("Entered at")]]
    for vote in selectors.proxy_votes(workshop.pk):
        rows.append([
            vote["participant"], vote["idea"], vote["idea_text"], vote["entered_by"], _local(vote["entered_at"]),
        ])
    return rows


def results_xlsx(workshop) -> bytes:
    data = selectors.results(workshop)
    by_role = [[_("Role of the voters"), _("Votes"), _("Ideas")]]
    by_role += [[row["role_label"], row["votes"], row["ideas"]] for row in data["by_role"]]
    by_tag = [[_("Tag"), _("Votes"), _("Ideas")]]
    by_tag += [[row["tag"] or _("(no tag)"), row["votes"], row["ideas"]] for row in data["by_tag"]]
    return xlsx_bytes(
        [
            (_("Results"), results_rows(workshop)), (_("By role"), by_role), (_("By tag"), by_tag),
            (_("Paper tally sheets"), paper_rows(workshop)), (_("Dots entered by helpers"), proxy_rows(workshop)),
        ],
        widths={"B": 80, "C": 30},
    )
