"""Plan exports (CSV, XLSX, iCalendar), the facilitators' overview, one click from an idea,
and the daily reminder command."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from icalendar import Calendar
from openpyxl import load_workbook

from ideas.models import Idea
from plans.models import ActionItem, ActionPlan, ReminderSent
from tests.factories import WorkshopPageFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def plan(tree):
    plan = ActionPlan.objects.create(office=tree["rezina"], title="Planul Rezina", published=True)
    ActionItem.objects.create(plan=plan, title="=cmd|' /C calc'!A0", due=TODAY + dt.timedelta(days=3), status="in_progress")
    ActionItem.objects.create(plan=plan, title="Scaner", due=TODAY - dt.timedelta(days=2), status="blocked")
    ActionItem.objects.create(plan=plan, title="Gata", due=TODAY - dt.timedelta(days=9), status="done")
    ActionItem.objects.create(plan=plan, title="Fără dată")
    return plan


def test_xlsx_opens_with_openpyxl_and_holds_every_item(client, plan):
    response = client.get(f"/plans/{plan.pk}/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    titles = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(titles) == sorted(["'=cmd|' /C calc'!A0", "Scaner", "Gata", "Fără dată"])


def test_csv_is_formula_safe(client, plan):
    text = client.get(f"/plans/{plan.pk}/export.csv").content.decode("utf-8-sig")
    assert "'=cmd" in text and "\n=cmd" not in text and "Fără dată" in text


def test_internal_plans_do_not_export_to_the_public(client, tree, calarasi_member):
    internal = ActionPlan.objects.create(office=tree["rezina"], title="Intern", published=False)
    assert client.get(f"/plans/{internal.pk}/export.csv").status_code == 404
    client.force_login(calarasi_member)
    assert client.get(f"/plans/{internal.pk}/export.xlsx").status_code == 404


def test_the_calendar_feed_parses_and_holds_the_open_due_dates(client, plan):
    response = client.get("/plans/rezina.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"=cmd|' /C calc'!A0", "Scaner"}  # done and undated items are left out
    assert events["Scaner"].decoded("dtstart") == TODAY - dt.timedelta(days=2)
    assert str(events["Scaner"]["uid"]).startswith("atelier-plan-item-")


def test_overview_is_for_facilitators_and_compares_offices(client, plan, facilitator, rezina_member):
    assert client.get("/plans/overview/").status_code in (302, 403)
    client.force_login(rezina_member)
    assert client.get("/plans/overview/").status_code == 403
    client.force_login(facilitator)
    response = client.get("/plans/overview/")
    rows = {row["office"].slug: row for row in response.context["rows"]}
    assert rows["rezina"]["overdue"] == 1 and rows["rezina"]["items"] == 4 and rows["rezina"]["done"] == 1
    assert rows["calarasi"]["progress"] is None


def test_overview_queries_do_not_grow_with_offices(client, tree, facilitator, django_assert_max_num_queries):
    from tests.factories import OfficePageFactory

    for n in range(25):
        office = OfficePageFactory(parent=tree["office_index"], title=f"BCIS {n}", slug=f"bcis-{n}")
        plan = ActionPlan.objects.create(office=office, title="P", published=True)
        ActionItem.objects.create(plan=plan, title="x", due=TODAY)
    client.force_login(facilitator)
    with django_assert_max_num_queries(20):
        assert client.get("/plans/overview/").status_code == 200


def test_one_click_from_a_top_idea_makes_a_linked_item(client, tree, plan, rezina_member, calarasi_member):
    workshop = WorkshopPageFactory(parent=tree["workshop_index"], phase="results", join_code="RESULT")
    workshop.offices.set([tree["rezina"]])
    workshop.save()  # parental relations are stored with the page
    idea = Idea.objects.create(workshop=workshop, text="Un scaner în fiecare mașină")
    client.force_login(rezina_member)
    page = client.get("/w/RESULT/results/")
    assert [p.pk for p in page.context["action_plans"]] == [plan.pk]
    response = client.post(f"/plans/from-idea/{idea.pk}/", {"plan": plan.pk})
    item = ActionItem.objects.get(ideas=idea)
    assert response.status_code == 302 and response["Location"] == f"/plans/items/{item.pk}/"
    assert item.plan == plan and item.updates.count() == 1
    client.force_login(calarasi_member)
    assert client.post(f"/plans/from-idea/{idea.pk}/", {"plan": plan.pk}).status_code == 403
    assert ActionItem.objects.filter(ideas=idea).count() == 1


def test_reminders_go_once_per_item_and_day(tree, plan, rezina_member):
    rezina_member.email = "rezina@bcis.example.md"
    rezina_member.save()
    plan.items.update(owner_user=rezina_member)
    call_command("remind_due_items")
    subjects = sorted(m.subject for m in mail.outbox)
    assert len(subjects) == 2  # due in 3 days, and overdue; done and undated are left alone
    assert all(m.to == ["rezina@bcis.example.md"] for m in mail.outbox)
    call_command("remind_due_items")
    assert len(mail.outbox) == 2
    assert ReminderSent.objects.filter(day=TODAY).count() == 2


def test_a_reminder_speaks_the_language_the_owner_chose(tree, plan, rezina_member, calarasi_member):
    from wagtail.users.models import UserProfile

    rezina_member.email = "rezina@bcis.example.md"
    rezina_member.save()
    profile = UserProfile.get_for_user(rezina_member)
    profile.preferred_language = "ru"
    profile.save()
    plan.items.update(owner_user=rezina_member)
    call_command("remind_due_items")
    assert sorted(m.subject.split(":")[0] for m in mail.outbox) == ["Просрочено", "Скоро срок"]
    # Without a choice, Romanian.
    mail.outbox.clear()
    profile.preferred_language = ""
    profile.save()
    ReminderSent.objects.all().delete()
    call_command("remind_due_items")
    assert sorted(m.subject.split(":")[0] for m in mail.outbox) == ["Acțiune întârziată", "Termenul se apropie"]
