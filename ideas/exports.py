"""Results as rows for CSV and XLSX (formula-safe cells come from core.exports)."""

from django.utils.translation import gettext as _

from workshop_site.core.exports import xlsx_bytes

from . import selectors


def results_rows(workshop) -> list[list]:
    data = selectors.results(workshop)
    rows: list[list] = [[
        _("Rank"), _("Idea"), _("Tags"), _("Author's role"), _("Votes"), _("Phone"), _("Proxy"), _("Paper"),
    ]]
    for idea in data["ideas"]:
        channels = idea["votes_by_channel"]
        rows.append([
            idea["rank"], idea["text"], ", ".join(idea["tags"]), idea["author_role_label"],
            idea["votes"], channels["phone"], channels["proxy"], channels["paper"],
        ])
    return rows


def results_xlsx(workshop) -> bytes:
    data = selectors.results(workshop)
    by_role = [[_("Role of the voters"), _("Votes"), _("Ideas")]]
    by_role += [[row["role_label"], row["votes"], row["ideas"]] for row in data["by_role"]]
    by_tag = [[_("Tag"), _("Votes"), _("Ideas")]]
    by_tag += [[row["tag"] or _("(no tag)"), row["votes"], row["ideas"]] for row in data["by_tag"]]
    return xlsx_bytes(
        [(_("Results"), results_rows(workshop)), (_("By role"), by_role), (_("By tag"), by_tag)],
        widths={"B": 80, "C": 30},
    )
