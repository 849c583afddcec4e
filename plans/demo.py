"""The plans part of the demo: one plan per pilot office, with items from the real pilot, some
done and some overdue, linked to the kickoff's ideas and the maternity prototype. An item agrees
with its office's page: the scanner is done only where the page lists it as the team's."""

import datetime as dt

from django.utils import timezone

from ideas.selectors import idea_starting_with, table_named
from prototypes.selectors import version_by_number
from workshop_site.core.errors import Conflict

from .models import ActionItem, ActionPlan, ItemUpdate, Milestone
from .services import items_from_table

SCANNER = "Scaner portabil și imprimantă pentru echipa mobilă"
# Where the office page still lists the scanner as missing, the item is under way (and late).
SCANNER_AWAITED = ("in_progress", 60)
# (title, owner: "team" or (name, institution), start offset, due offset (days from today), status, progress, weight)
MOBILE_TEAM = [
    ("Un vehicul cu locuri pentru toți cei 9 specialiști ai echipei mobile", ("Direcția finanțe", "Consiliul raional"), -300, -30, "in_progress", 40, 5),
    (SCANNER, "team", -280, -200, "done", 100, 1),
    ("Acces la registrele electronice din teren (internet mobil, conturi)", ("Agenția Servicii Publice", "ASP"), -250, -10, "blocked", 20, 3),
    ("Orar comun al prestatorilor, afișat la primării", "team", -60, 20, "in_progress", 50, 1),
]
MATERNITY = [
    ("Cererea online pentru indemnizația de maternitate", ("Direcția prestații", "CNAS"), -200, 45, "in_progress", 0, 4),
    ("Statutul cererii vizibil pentru mamă (SMS și online)", ("Direcția IT", "CNAS"), -120, 90, "not_started", 0, 2),
]


# DEMO29's Rezina table sends its first ideas to Rezina's plan, as a facilitator does from the
# results page in one step (plans.services.items_from_table).
DEMO29_SENT = ("rezina", 2)


def seed(demo) -> None:
    if not ActionPlan.objects.exists():
        _seed_plans(demo)
    _send_demo29_table(demo)


def _send_demo29_table(demo) -> None:
    slug, n = DEMO29_SENT
    live, office = demo.workshops.get("live"), demo.offices.get(slug)
    table = table_named(live, slug) if live is not None else None
    plan = ActionPlan.objects.filter(office=office).order_by("pk").first() if office is not None else None
    if table is None or plan is None:
        return
    try:
        items_from_table(user=demo.users.get("facilitator"), table_id=table.pk, plan_id=plan.pk, n=n)
    except Conflict:  # sent by an earlier run: never twice
        return
    demo.note(f"DEMO29 {slug} table sent to its plan")


def _seed_plans(demo) -> None:
    today = timezone.localdate()
    kickoff = demo.workshops.get("kickoff")
    mobile_idea = idea_starting_with(kickoff, "Echipa mobilă")
    online_idea = idea_starting_with(kickoff, "Cererea de indemnizație")
    prototype_v1 = version_by_number("maternitate-online", 1)
    for slug, office in demo.offices.items():
        team_user = demo.users.get(slug)
        plan = ActionPlan.objects.create(
            office=office, workshop=kickoff, published=True,
            title=f"Planul de acțiuni {office.title}",
            description="Pașii convenuți la atelierul de lansare, urmăriți de echipa biroului.",
        )
        rows = MOBILE_TEAM + (MATERNITY if slug in ("calarasi", "rezina") else [])
        for order, (title, owner, start, due, status, progress, weight) in enumerate(rows, start=1):
            if title == SCANNER and "scaner" in office.equipment_missing_list:
                status, progress = SCANNER_AWAITED
            item = ActionItem.objects.create(
                plan=plan, title=title, sort_order=order, status=status, progress=progress, weight=weight,
                start=today + dt.timedelta(days=start), due=today + dt.timedelta(days=due),
                owner_user=team_user if owner == "team" else None,
                owner_name="" if owner == "team" else owner[0],
                owner_institution="" if owner == "team" else owner[1],
            )
            if title.startswith(("Un vehicul", "Scaner", "Acces")) and mobile_idea:
                item.ideas.add(mobile_idea)
            if title.startswith("Cererea online"):
                if online_idea:
                    item.ideas.add(online_idea)
                if prototype_v1:
                    item.prototype_versions.add(prototype_v1)
                for n, (milestone, done) in enumerate([
                    ("Formularul online testat cu mame", True), ("Legătura cu certificatul medical electronic", False),
                    ("Lansarea publică", False),
                ]):
                    Milestone.objects.create(item=item, title=milestone, done=done, sort_order=n)
            ItemUpdate.objects.create(item=item, user=demo.users.get("facilitator"), changes={"created": [None, title]},
                                      note="Adăugat la atelierul de lansare.")
            _backdate(item, team_user, start=start, due=due)
    demo.note("action plans")


# The plans were agreed this many days before today, a little before their first item started.
AGREED = 310


def _backdate(item: ActionItem, team_user, *, start: int, due: int) -> None:
    """The item's history as the team would have kept it since the plan was agreed: created
    then, started on its start day, and (when done) done on its due day; so the office page's
    "items done over time" has a past to draw. Written as the history is (field: [before,
    after]), dated after the fact: `created` is set when a row is added."""
    now = timezone.now()
    ActionItem.objects.filter(pk=item.pk).update(created=now - dt.timedelta(days=AGREED))
    item.updates.update(created=now - dt.timedelta(days=AGREED))
    steps = []
    if item.status != "not_started":
        steps.append((start, {"status": ["not_started", "in_progress"]}))
    if item.status in ("done", "blocked"):
        steps.append((due if item.status == "done" else (start + due) // 2, {"status": ["in_progress", item.status]}))
    for day, changes in steps:
        update = ItemUpdate.objects.create(item=item, user=team_user, changes=changes)
        ItemUpdate.objects.filter(pk=update.pk).update(created=now + dt.timedelta(days=day))
