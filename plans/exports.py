"""A plan as spreadsheet rows, and an office's due dates as an iCalendar feed."""

import datetime as dt

from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .models import ActionPlan
from .selectors import item_progress, origins


def plan_rows(plan: ActionPlan) -> list[list]:
    rows = [[_("Item"), _("Owner"), _("Start"), _("Due"), _("Status"), _("Progress (%)"), _("Priority"),
             _("Weight"), _("Overdue"), _("Where it came from"), _("Description")]]
    for item in plan.items.all():
        rows.append([
            item.title, item.owner_display, item.start, item.due, item.get_status_display(), item_progress(item),
            item.get_priority_display(), item.weight, _("yes") if item.is_overdue() else "",
            "; ".join(o.get("text") or f"{o.get('prototype')} v{o.get('number')}" for o in origins(item)),
            item.description,
        ])
    return rows


def due_dates_calendar(office, plans, *, base_url: str) -> bytes:
    """All-day events on the due dates of the open items of `plans` (RFC 5545)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Atelier//plans//RO")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Action plan: %(office)s") % {"office": office.title})
    stamp = dt.datetime.now(dt.UTC)
    for plan in plans:
        for item in plan.items.all():
            if item.due is None or item.status in ("done", "dropped"):
                continue
            event = Event()
            event.add("uid", f"atelier-plan-item-{item.pk}@atelier")
            event.add("dtstamp", stamp)
            event.add("dtstart", item.due)
            event.add("dtend", item.due + dt.timedelta(days=1))
            event.add("summary", item.title)
            event.add("description", f"{plan.title}\n{item.owner_display}\n{item_progress(item)}%")
            event.add("url", f"{base_url}/plans/items/{item.pk}/")
            calendar.add_component(event)
    return calendar.to_ical()
