"""Results as rows for CSV and XLSX (formula-safe cells come from core.exports): the ranked
ideas, then one CSV section or XLSX sheet per activity of the run of show, each with the
figures of everyone and of each role side by side."""

import re

from django.utils import timezone
from django.utils.translation import gettext as _

from workshop_site.core.exports import xlsx_bytes
from workshop_site.workshops.models import Phase

from . import selectors
from .kinds import KINDS
from .models import ActivityKind


def results_rows(workshop, *, viewer: selectors.Viewer | None = None) -> list[list]:
    """The ranked ideas (as `selectors.results` shows them to `viewer`)."""
    data = selectors.results(workshop, viewer=viewer)
    rows: list[list] = [[
        _("Rank"), _("Idea"), _("Tags"), _("Author's role"), _("Votes"), _("Phone"), _("Proxy"), _("Paper"),
        _("Idea no."), _("Entered by a helper"), _("Entered at"), _("Table"),
    ]]
    for idea in data["ideas"]:
        channels = idea["votes_by_channel"]
        rows.append([
            idea["rank"], idea["text"], ", ".join(idea["tags"]), idea["author_role_label"],
            idea["votes"], channels["phone"], channels["proxy"], channels["paper"],
            idea["number"], idea["entered_by"], _local(idea["entered_at"]), idea["table_name"],
        ])
    return rows


def activity_sections(activities: list[dict]) -> list[tuple[str, list[list]]]:
    """(a sheet's title, its rows) per activity of `selectors.activities_results`, in
    run-of-show order: a title row (number and title, kind, phase), then its kind's table
    (`Kind.table`) and where citizens and providers disagree; an activity still blind to this
    viewer says so instead."""
    sections = []
    for number, activity in enumerate(activities, start=1):
        kind = KINDS[activity["kind"]]
        heading = f"{number}. {activity['title']}"
        rows: list[list] = [[heading, str(ActivityKind(activity["kind"]).label), str(Phase(activity["phase"]).label)]]
        if activity["hidden"]:
            rows.append([_("Blind until revealed: the results appear here once the facilitator shows them.")])
        else:
            rows += kind.table(activity["results"], activity["by_role"])
            if activity["disagreements"]:
                rows.append([_("Citizens and providers see it differently:")])
                rows += [[kind.disagreement_text(item)] for item in activity["disagreements"]]
        sections.append((_sheet_title(heading), rows))
    return sections


def _sheet_title(heading: str) -> str:
    """A worksheet's name: Excel refuses \\ / ? * [ ] : (and a final apostrophe) and keeps
    31 characters."""
    return re.sub(r"[\\/?*\[\]:]", "-", heading)[:31].rstrip("'")


def results_csv_rows(workshop, activities: list[dict], *, viewer: selectors.Viewer | None = None) -> list[list]:
    """The CSV: the ranked ideas as always (the first rows), then a section per activity
    (`selectors.activities_results` as this viewer may see them) after an empty row."""
    rows = results_rows(workshop, viewer=viewer)
    for _title, section in activity_sections(activities):
        rows += [[], *section]
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
            # Only facilitators download the XLSX: blind activities too.
            *activity_sections(selectors.activities_results(workshop, sees_all=True)),
        ],
        widths={"B": 80, "C": 30},
    )
