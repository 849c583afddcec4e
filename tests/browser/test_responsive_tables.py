"""A table that becomes cards on a phone (#20, static/css/atelier.css `table.responsive`): on a
phone each row is a card and each cell is led by its column's name; it stays a table for a
screen reader (row headers, column headers and cells); on a laptop it is a plain table."""

import re

from tests.browser.test_run_of_show import _seed

ROWS = "table.plan-items.responsive tbody tr"


def test_a_plan_s_items_are_cards_on_a_phone_and_a_table_on_a_laptop(live_server_url, browser):
    _seed()
    context = browser.new_context(locale="ro-MD", viewport={"width": 360, "height": 640})
    try:
        page = context.new_page()
        page.goto(live_server_url + "/birouri/calarasi/")
        rows = page.locator(ROWS)
        first, second = rows.nth(0).bounding_box(), rows.nth(1).bounding_box()
        # Cards: one under the other, each within the window, its cells one under the other.
        assert second["y"] >= first["y"] + first["height"] and first["x"] + first["width"] <= 360
        owner, due = rows.nth(0).locator("td").nth(1).bounding_box(), rows.nth(0).locator("td").nth(2).bounding_box()
        assert due["y"] >= owner["y"] + owner["height"]
        # Each cell led by its column's name, drawn by the stylesheet (not read twice).
        before = page.evaluate(
            "td => getComputedStyle(td, '::before').content", rows.nth(0).locator("td").nth(1).element_handle())
        assert re.match(r'^"Responsabil: "', before), before
        # The header row is out of sight, yet still the table's headers for a screen reader.
        header = page.locator("table.plan-items thead").first.bounding_box()
        assert header["width"] <= 1 and header["height"] <= 1
        table = page.get_by_role("table", name="Acțiunile planului")
        assert table.get_by_role("columnheader", name="Responsabil").count() == 1
        assert table.get_by_role("cell", name="Echipa BCIS Călărași").count() >= 1
        # The providers too, each named by its row header.
        assert page.get_by_role("rowheader", name="Centrul de consultanță juridică comunitară").is_visible()

        page.set_viewport_size({"width": 1366, "height": 768})
        assert rows.nth(0).evaluate("tr => getComputedStyle(tr).display") == "table-row"
        assert page.evaluate(
            "td => getComputedStyle(td, '::before').content", rows.nth(0).locator("td").nth(1).element_handle()
        ) in ("none", "normal")
        assert page.locator("table.plan-items thead").first.bounding_box()["height"] > 10
    finally:
        context.close()
