"""Results as rows for CSV and XLSX, with spreadsheet formulas neutralised."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from . import selectors

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A cell that a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def results_rows(workshop) -> list[list]:
    data = selectors.results(workshop)
    rows: list[list] = [[
        _("Rank"), _("Idea"), _("Tags"), _("Author's role"), _("Votes"), _("Phone"), _("Proxy"), _("Paper"),
    ]]
    for idea in data["ideas"]:
        channels = idea["votes_by_channel"]
        rows.append([
            idea["rank"], neutralise(idea["text"]), neutralise(", ".join(idea["tags"])), idea["author_role_label"],
            idea["votes"], channels["phone"], channels["proxy"], channels["paper"],
        ])
    return rows


def results_xlsx(workshop) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Results")[:31]
    for row in results_rows(workshop):
        sheet.append(row)
    sheet.column_dimensions["B"].width = 80
    sheet.column_dimensions["C"].width = 30
    data = selectors.results(workshop)
    roles = workbook.create_sheet(_("By role")[:31])
    roles.append([_("Role of the voters"), _("Votes"), _("Ideas")])
    for row in data["by_role"]:
        roles.append([row["role_label"], row["votes"], row["ideas"]])
    tags = workbook.create_sheet(_("By tag")[:31])
    tags.append([_("Tag"), _("Votes"), _("Ideas")])
    for row in data["by_tag"]:
        tags.append([neutralise(row["tag"]) or _("(no tag)"), row["votes"], row["ideas"]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
