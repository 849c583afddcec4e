"""`export_workshop` / `import_workshop`: a workshop with everything hanging off it survives a
round trip through an emptied database (the second export equals the first), and the import
refuses, writing nothing, what it cannot take."""

import base64
import datetime as dt
import io
import json

import pytest
from django.conf import settings
from django.core.files.images import ImageFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from wagtail.models import Page

from feedback.models import Feedback, Tap, TaskRun, TestTask
from ideas import services as ideas
from ideas.models import Idea, TallyLine, TallySheet, Vote
from plans import services as plans
from plans.models import ActionPlan
from prototypes.models import Hotspot, MapStep, ServiceMap
from tests.factories import UserFactory, WorkshopPageFactory
from tests.prototypes.factories import (
    ImageFactory,
    PrototypeFactory,
    ScreenFactory,
    VersionFactory,
    named,
    png_bytes,
)
from workshop_site.composition.transfer import VOLATILE_KEYS, workshop_export
from workshop_site.offices.models import OfficePage
from workshop_site.workshops.models import WorkshopIndexPage, WorkshopPage

pytestmark = pytest.mark.django_db(transaction=True)

SESSION_KEY = "s3cr3t-session-key-of-a-citizen"


def build_workshop(tree, facilitator, rezina_member) -> WorkshopPage:
    """A finished workshop: votes cast and retracted, an idea hidden, two merged, a paper
    tally with its correction, a prototype with two versions, a service map, feedback, a test
    task with a run, and plan items from its ideas, feedback and prototype version."""
    workshop = WorkshopPageFactory(
        parent=tree["workshop_index"], title="Echipa mobilă", slug="echipa-mobila", join_code="TRIP29",
        phase="ideas", dots_per_participant=3,
        agenda=[{"type": "item", "value": {"title": "Idei", "duration_minutes": 30, "description": "", "method": ""}}],
    )
    workshop.offices.set([tree["rezina"]])
    workshop.facilitators.set([facilitator])
    workshop.suggested_tags.add("online", "documente")
    workshop.save_revision().publish()

    people = [ideas.participant_join(workshop=workshop, display_name=name, role=role)
              for name, role in [("Ana", "citizen"), ("Ion", "provider"), ("Maria", "office_staff")]]
    texts = ["Scaner în mașina echipei mobile", "Acces la registre", "Acces la registrele electronice", "Spam"]
    posted = [ideas.idea_create(participant_id=people[n % 3].pk, text=text, tags=["echipa mobilă"] if n else [])
              for n, text in enumerate(texts)]
    ideas.phase_set(user=facilitator, workshop_id=workshop.pk, phase="voting")
    for person in people:
        ideas.vote_cast(participant_id=person.pk, idea_id=posted[0].pk)
        ideas.vote_cast(participant_id=person.pk, idea_id=posted[1].pk)
    ideas.vote_cast(participant_id=people[0].pk, idea_id=posted[2].pk)
    ideas.vote_retract(participant_id=people[1].pk, idea_id=posted[1].pk)
    ideas.vote_cast(participant_id=people[2].pk, idea_id=posted[3].pk)
    ideas.idea_hide(user=facilitator, idea_id=posted[3].pk)
    ideas.idea_merge(user=facilitator, keep_id=posted[2].pk, duplicate_id=posted[1].pk)
    first = ideas.paper_tally_submit(user=facilitator, workshop_id=workshop.pk, voters=4,
                                     counts={str(posted[0].pk): 3, str(posted[2].pk): 2})
    ideas.paper_tally_submit(user=facilitator, workshop_id=workshop.pk, voters=4, corrects_id=first.pk,
                             note="Am numărat de două ori", counts={str(posted[0].pk): 4, str(posted[2].pk): 1})
    ideas.phase_set(user=facilitator, workshop_id=workshop.pk, phase="results")

    prototype = PrototypeFactory(slug="maternitate-online", workshop=workshop)
    prototype.offices.set([tree["rezina"]])
    prototype.ideas.set([posted[0]])
    prototype.save()
    v1 = VersionFactory(prototype=prototype, number=1, notes="Prima versiune", created_by=facilitator)
    picture = ImageFactory(title="Start", file=ImageFile(named(png_bytes(color="#aa3300"), "start.png")))
    start = ScreenFactory(version=v1, title="Start", image=picture, sort_order=0)
    form = ScreenFactory(version=v1, title="Formular", sort_order=1)
    Hotspot.objects.create(screen=start, x=0.1, y=0.8, w=0.8, h=0.1, target_screen=form, label="Aplică")
    Hotspot.objects.create(screen=form, x=0.0, y=0.0, w=0.2, h=0.1, back=True)
    Hotspot.objects.create(screen=form, x=0.5, y=0.0, w=0.2, h=0.1, target_url="https://cnas.gov.md/")
    v2 = VersionFactory(prototype=prototype, number=2, published=False)
    ScreenFactory(version=v2, title="Start", image=picture, sort_order=0)  # the same picture, shared

    as_is = ServiceMap.objects.create(service=prototype.service, kind="as_is", title="Acum")
    steps = [MapStep.objects.create(map=as_is, title=t, actor="citizen", channel="paper", duration_days="1.50",
                                    sort_order=n) for n, t in enumerate(["Depune cererea", "Așteaptă"])]
    to_be = ServiceMap.objects.create(service=prototype.service, kind="to_be", title="Online")
    online = MapStep.objects.create(map=to_be, title="Aplică online", actor="citizen", channel="electronic")
    online.replaces.set(steps)
    online.save()

    feedback = Feedback.objects.create(version=v1, screen=start, x=0.25, y=0.5, text="Unde încarc actele?",
                                       rating=4, author_role="citizen", session_key=SESSION_KEY)
    from feedback.services import feedback_triage

    feedback_triage(user=facilitator, feedback_id=feedback.pk, status="planned", reply="Adăugăm un pas.")
    task = TestTask.objects.create(version=v1, instruction="Depuneți cererea", start_screen=start,
                                   expected_path=[start.pk, form.pk])
    task.goal_screens.set([form])
    run = TaskRun.objects.create(task=task, session_key=SESSION_KEY, current_screen=form, outcome="completed",
                                 ended_at=dt.datetime(2016, 3, 29, 12, 5, tzinfo=dt.UTC))
    Tap.objects.create(run=run, screen=start, x=0.5, y=0.85, hit=True, led_to=form, ms_since_start=1200)

    plan = ActionPlan.objects.create(office=tree["rezina"], workshop=workshop, title="Planul Rezina", published=True)
    item = plans.item_create(user=facilitator, plan=plan, title="Scaner", ideas=[posted[0]], feedback=[feedback],
                             prototype_versions=[v1], due=dt.date(2016, 6, 1), owner_user=rezina_member)
    plans.item_update(user=rezina_member, item_id=item.pk, changes={"status": "in_progress", "progress": 40},
                      note="Comandat")
    milestone = plans.milestone_add(user=rezina_member, item_id=item.pk, title="Licitație")
    plans.milestone_set_done(user=rezina_member, milestone_id=milestone.pk, done=True)
    other_plan = ActionPlan.objects.create(office=tree["calarasi"], title="Planul Călărași")
    plans.item_create(user=facilitator, plan=other_plan, title="Registre", ideas=[posted[2]])
    plans.item_create(user=facilitator, plan=other_plan, title="Not from this workshop")
    return WorkshopPage.objects.get(pk=workshop.pk)


def public_results(code: str) -> list:
    """What anyone reads at /api/workshops/<code>/results, without the row ids."""
    ideas_out = Client().get(f"/api/workshops/{code}/results").json()["ideas"]
    return [{key: value for key, value in row.items() if key != "id"} for row in ideas_out]


def without_volatile(document: dict) -> dict:
    return {key: value for key, value in document.items() if key not in VOLATILE_KEYS}


def test_a_round_trip_through_an_emptied_database_is_lossless(tree, facilitator, rezina_member, tmp_path):
    workshop = build_workshop(tree, facilitator, rezina_member)
    results_before = public_results("TRIP29")
    exported = tmp_path / "trip29.json"
    call_command("export_workshop", "trip29", "-o", str(exported), stderr=io.StringIO())
    first = json.loads(exported.read_text())
    assert first["format"] == "atelier.workshop" and first["version"] == 1
    assert len(first["votes"]) == 6 and len(first["ideas"]) == 4 and len(first["tally_sheets"]) == 2
    assert [row["title"] for row in first["action_items"]] == ["Scaner", "Registre"]
    assert first == json.loads(json.dumps(workshop_export(workshop=workshop))) | {"exported_at": first["exported_at"]}
    # Names and roles only: no sessions, no addresses, no accounts of participants.
    assert SESSION_KEY not in exported.read_text()
    assert set(first["participants"][0]) == {"ref", "display_name", "role", "dots_left", "is_proxy", "entered_by",
                                            "workshop", "created", "modified"}

    call_command("flush", interactive=False)
    assert not Page.objects.exists()
    for username in ("facilitator", "rezina"):
        UserFactory(username=username)  # staff accounts are the site's, recreated by its admin
    out = io.StringIO()
    with override_settings(MEDIA_ROOT=tmp_path / "restored-media"):
        call_command("import_workshop", str(exported), stdout=out)
        assert "Workshop TRIP29 imported" in out.getvalue()
        restored = WorkshopPage.objects.get(join_code="TRIP29")
        second = workshop_export(workshop=restored)

        assert without_volatile(second) == without_volatile(first)
        assert restored.live and restored.phase == "results"
        assert restored.get_parent().specific_class is WorkshopIndexPage
        assert public_results("TRIP29") == results_before
        assert Client().get(restored.url).status_code == 200
        # The picture is back in the (new) media storage; the second export re-read its bytes.
        picture = Client().get("/api/prototypes/maternitate-online").json()["versions"][0]["screens"][0]
        assert default_storage.exists(picture["image_url"].removeprefix(settings.MEDIA_URL))


def test_the_import_goes_under_the_existing_tree_and_reuses_offices_by_slug(tree, facilitator, rezina_member, tmp_path):
    workshop = build_workshop(tree, facilitator, rezina_member)
    document = workshop_export(workshop=workshop)
    exported = tmp_path / "trip29.json"
    exported.write_text(json.dumps(document))
    # The same site, without this workshop and what came from it.
    ActionPlan.objects.all().delete()
    Feedback.objects.all().delete()
    from prototypes.models import Prototype

    Prototype.objects.all().delete()
    # Deleting the workshop takes its tally sheets, corrections included.
    workshop.delete()
    assert not TallySheet.objects.exists()
    offices_before = OfficePage.objects.count()

    # A fresh media folder, as on the site a backup is restored to (in a folder that still
    # holds start.png, the storage would name the picture start_<random>.png).
    with override_settings(MEDIA_ROOT=tmp_path / "restored-media"):
        call_command("import_workshop", str(exported), stdout=io.StringIO())

        restored = WorkshopPage.objects.get(join_code="TRIP29")
        assert restored.get_parent().pk == tree["workshop_index"].pk
        assert OfficePage.objects.count() == offices_before
        assert list(restored.offices.all()) == [tree["rezina"]]
        assert ServiceMap.objects.count() == 2  # the service was kept, with its own maps, none added
        assert without_volatile(workshop_export(workshop=restored)) == without_volatile(document)


def test_importing_a_workshop_whose_join_code_exists_is_refused_and_changes_nothing(tree, facilitator, rezina_member,
                                                                                  tmp_path):
    workshop = build_workshop(tree, facilitator, rezina_member)
    exported = tmp_path / "trip29.json"
    exported.write_text(json.dumps(workshop_export(workshop=workshop)))
    counts = (Idea.objects.count(), Vote.objects.count(), TallyLine.objects.count(), Page.objects.count())

    with pytest.raises(CommandError, match="join code TRIP29 already exists"):
        call_command("import_workshop", str(exported), stdout=io.StringIO())

    assert (Idea.objects.count(), Vote.objects.count(), TallyLine.objects.count(), Page.objects.count()) == counts


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda doc: "{not json", "is not a JSON file"),
        (lambda doc: {**doc, "format": "something.else"}, "not an Atelier workshop export"),
        (lambda doc: {**doc, "version": 99}, "format version 99"),
        (lambda doc: {**doc, "images": [{**doc["images"][0], "data": base64.b64encode(b"<svg/>").decode()}]},
         "does not match its SHA-256"),
        (lambda doc: {**doc, "votes": [{"ref": 1, "participant": 1, "idea": 999, "created": "yesterday"}]},
         "not a valid workshop export"),
        (lambda doc: {**doc, "ideas": "all of them"}, "is not a list of rows"),
    ],
)
def test_a_broken_or_foreign_file_is_refused_clearly_and_writes_nothing(tree, facilitator, rezina_member, tmp_path,
                                                                       spoil, message):
    workshop = build_workshop(tree, facilitator, rezina_member)
    document = workshop_export(workshop=workshop)
    document["workshop"][0]["join_code"] = "OTHER7"  # so the code check does not answer first
    document["workshop"][0]["slug"] = "alt-atelier"
    for row in document["ideas"] + document["feedback"]:
        row["content_id"] = f"00000000-0000-4000-8000-{row['ref']:012d}"
    document["prototypes"][0]["slug"] = "alt-prototip"
    spoiled = spoil(document)
    path = tmp_path / "spoiled.json"
    path.write_text(spoiled if isinstance(spoiled, str) else json.dumps(spoiled))
    pages = Page.objects.count()

    with pytest.raises(CommandError, match=message):
        call_command("import_workshop", str(path), stdout=io.StringIO())

    assert Page.objects.count() == pages
    assert not WorkshopPage.objects.filter(join_code="OTHER7").exists()
    assert TallySheet.objects.count() == 2


def test_exporting_an_unknown_code_says_so():
    with pytest.raises(CommandError, match="No workshop has the join code"):
        call_command("export_workshop", "NOPE42")
