"""The run of show in the Wagtail admin (`ideas.wagtail_hooks.ActivityViewSet`): what a
facilitator writes (activities, a poll's options, a scale's statements), the rules the form
holds them to, and who may see it at all. Through the test client, as a browser posts it."""

import re
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import override as translation_override
from wagtail.models import Locale
from wagtail.users.models import UserProfile

from ideas import services
from ideas.models import Activity, PollAnswer, PollOption, ScaleStatement
from tests.factories import UserFactory, WorkshopPageFactory

from .conftest import set_phase
from .factories import IdeaFactory, ParticipantFactory, run_of_show

pytestmark = pytest.mark.django_db


@pytest.fixture
def facilitator(facilitator):
    # The admin speaks the user's language: the messages are checked in English.
    profile = UserProfile.get_for_user(facilitator)
    profile.preferred_language = "en"
    profile.save()
    return facilitator


@pytest.fixture
def show(workshop):
    """LIVE23's four activities (poll, scale, brainstorm, words), the brainstorm current."""
    return run_of_show(workshop)


def activity_post(workshop, *, kind, title, options=(), statements=(), existing=None, **fields):
    """The create/edit form as the admin's page posts it, both inline formsets included.
    `options` / `statements`: texts of new rows, or (id, text, delete) for stored rows."""
    data = {
        "workshop": workshop.pk, "position": fields.pop("position", 5), "kind": kind, "title": title,
        "prompt": "", "max_choices": fields.pop("max_choices", 1), "scale_min_label": "", "scale_max_label": "",
        "dots_per_participant": fields.pop("dots_per_participant", 3), "max_dots_per_idea": fields.pop("max_dots_per_idea", ""),
        **fields,
    }
    for prefix, rows in (("options", options), ("statements", statements)):
        stored = [row for row in rows if isinstance(row, tuple)]
        data.update({
            f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": len(stored),
            f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000,
        })
        for index, row in enumerate(rows):
            pk, text, delete = row if isinstance(row, tuple) else ("", row, False)
            data.update({f"{prefix}-{index}-id": pk, f"{prefix}-{index}-text": text,
                         f"{prefix}-{index}-ORDER": index + 1})
            if delete:
                data[f"{prefix}-{index}-DELETE"] = "on"
    return data


def page_text(response) -> str:
    return unescape(response.content.decode())


def listing(response) -> list[str]:
    """The admin listing's rows as a reader sees them: each row's text, tags and spacing aside."""
    html = page_text(response)
    table = html[html.index('<table class="listing">'):]
    body = table[table.index("<tbody>"):table.index("</tbody>")]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in body.split("<tr>")[1:]]


def stored():
    """Everything the admin could have written, to check a refused form changed nothing."""
    return (
        sorted(Activity.objects.values_list("pk", "workshop_id", "kind", "title", "position", "max_choices")),
        sorted(PollOption.objects.values_list("pk", "activity_id", "text", "sort_order")),
        sorted(ScaleStatement.objects.values_list("pk", "activity_id", "text", "sort_order")),
    )


def russian_translation(page):
    """The page's Russian translation, its ancestors translated first (as Wagtail requires)."""
    ru = Locale.objects.get(language_code="ru")
    for ancestor in page.get_ancestors()[1:]:
        if ancestor.get_translation_or_none(ru) is None:
            ancestor.specific.copy_for_translation(ru)
    return page.copy_for_translation(ru)


# Who sees it


def test_a_facilitator_reads_a_workshops_run_of_show_in_order(client, facilitator, workshop, show, tree):
    elsewhere = WorkshopPageFactory(parent=tree["workshop_index"], title="Alt atelier", join_code="ELSE11")
    Activity.objects.create(workshop=elsewhere, kind="words", title="Cuvântul altui atelier")
    client.force_login(facilitator)

    rows = listing(client.get(reverse("activities:index"), {"workshop": workshop.pk}))

    # In the order of the run of show, each with its kind, workshop, position, phase and whether
    # the room is on it (the current brainstorm shows the room's phase).
    assert rows == [
        "Din ce raion veniți? Edit Copy Delete poll Echipa mobilă 1 draft False",
        "Cât de ușor este azi… Edit Copy Delete scale Echipa mobilă 2 draft False",
        "Echipa mobilă Edit Copy Delete brainstorm Echipa mobilă 3 ideas True",
        "Un cuvânt pentru BCIS-ul ideal Edit Copy Delete word cloud Echipa mobilă 4 draft False",
    ]
    # Unfiltered, every workshop's activities are there; a search finds one by its words.
    assert any(row.startswith("Cuvântul altui atelier") for row in listing(client.get(reverse("activities:index"))))
    found = listing(client.get(reverse("activities:index"), {"q": "raion"}))
    assert [row.split(" Edit")[0] for row in found] == ["Din ce raion veniți?"]


def test_the_workshop_page_leads_facilitators_to_its_run_of_show(client, facilitator, rezina_member, workshop, show):
    link = f'{reverse("activities:index")}?workshop={workshop.pk}'
    assert link not in client.get(workshop.url).content.decode()
    client.force_login(rezina_member)
    assert link not in client.get(workshop.url).content.decode()
    client.force_login(facilitator)
    assert link in client.get(workshop.url).content.decode()


@pytest.mark.parametrize("who", ["anonymous", "office team", "the workshop's helper"])
def test_only_whoever_runs_workshops_reaches_the_run_of_show(
    client, who, workshop, show, facilitator, rezina_member, calarasi_member
):
    if who == "office team":
        client.force_login(rezina_member)
    elif who == "the workshop's helper":  # enters paper participation, writes no agenda
        services.helper_grant(user=facilitator, workshop=workshop, helper=calarasi_member)
        client.force_login(calarasi_member)
    poll = show["poll"]
    before = stored()
    doors = [
        ("get", reverse("activities:index"), {}),
        ("get", reverse("activities:add"), {}),
        ("post", reverse("activities:add"), activity_post(workshop, kind="words", title="Intrus")),
        ("get", reverse("activities:edit", args=[poll.pk]), {}),
        ("post", reverse("activities:edit", args=[poll.pk]),
         activity_post(workshop, kind="poll", title="Schimbat", options=["a", "b"])),
        ("post", reverse("activities:delete", args=[poll.pk]), {}),
    ]
    for method, url, data in doors:
        response = getattr(client, method)(url, data)
        if who == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith(reverse("wagtailadmin_login"))
        else:  # Wagtail's refusal: back to the dashboard (or a 403)
            assert response.status_code in (302, 403)
            assert response.status_code == 403 or response["Location"] == reverse("wagtailadmin_home")
    assert stored() == before


def test_the_live_workshops_menu_offers_the_run_of_show_to_facilitators_only(client, facilitator, rezina_member):
    client.force_login(facilitator)
    assert reverse("activities:index") in client.get(reverse("wagtailadmin_home")).content.decode()
    client.force_login(rezina_member)
    assert reverse("activities:index") not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_a_superuser_reaches_the_run_of_show(client, workshop, show):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    assert "Din ce raion veniți?" in page_text(client.get(reverse("activities:index")))


# Create


def test_a_facilitator_adds_a_poll_with_its_options(client, facilitator, workshop, show):
    client.force_login(facilitator)
    # "Add" from a workshop's run of show starts an activity of it, after its last one.
    add = f'{reverse("activities:add")}?workshop={workshop.pk}'
    assert add in page_text(client.get(reverse("activities:index"), {"workshop": workshop.pk}))
    form = client.get(add)
    assert form.context["form"]["workshop"].value() == workshop.pk
    assert form.context["form"]["position"].value() == 5  # after the four

    response = client.post(reverse("activities:add"), activity_post(
        workshop, kind="poll", title="Ce vă lipsește cel mai mult?", max_choices=2,
        options=["Scaner", "Internet mobil", "Imprimantă"],
    ))

    assert response.status_code == 302
    assert response["Location"] == f'{reverse("activities:index")}?workshop={workshop.pk}'
    poll = Activity.objects.get(title="Ce vă lipsește cel mai mult?")
    assert (poll.workshop_id, poll.kind, poll.position, poll.max_choices) == (workshop.pk, "poll", 5, 2)
    assert (poll.phase, poll.is_current) == ("draft", False)  # the console opens it
    assert list(poll.options.values_list("text", flat=True)) == ["Scaner", "Internet mobil", "Imprimantă"]
    assert not poll.statements.exists()


def test_a_copied_poll_gets_options_of_its_own(client, facilitator, workshop, show):
    poll = show["poll"]
    client.force_login(facilitator)
    assert client.get(reverse("activities:copy", args=[poll.pk])).status_code == 200
    # The copy form posts the original's rows (their ids) to the add view.
    rows = [(o.pk, o.text, False) for o in poll.options.all()]

    response = client.post(reverse("activities:add"), activity_post(
        workshop, kind="poll", title="Din ce raion veniți? (a doua zi)", options=rows,
    ))

    assert response.status_code == 302
    copy = Activity.objects.get(title="Din ce raion veniți? (a doua zi)")
    assert list(copy.options.values_list("text", flat=True)) == ["Dubăsari", "Călărași", "Rezina", "alt raion"]
    assert not set(copy.options.values_list("pk", flat=True)) & {pk for pk, _text, _delete in rows}
    assert list(poll.options.values_list("pk", flat=True)) == [pk for pk, _text, _delete in rows]


def test_a_facilitator_adds_a_scale_with_its_statements_and_labels(client, facilitator, workshop):
    client.force_login(facilitator)
    response = client.post(reverse("activities:add"), activity_post(
        workshop, kind="scale", title="Cât de ușor este azi…", scale_min_label="foarte greu",
        scale_max_label="foarte ușor", statements=["să aflu ce acte trebuie", "să depun cererea"],
    ))
    assert response.status_code == 302
    scale = Activity.objects.get(kind="scale")
    assert (scale.scale_min_label, scale.scale_max_label) == ("foarte greu", "foarte ușor")
    assert list(scale.statements.values_list("text", flat=True)) == ["să aflu ce acte trebuie", "să depun cererea"]


@pytest.mark.parametrize(("post", "message"), [
    ({"kind": "poll", "options": ["Doar una"]}, "A poll needs from 2 to 10 options; this one has 1."),
    ({"kind": "poll", "options": []}, "A poll needs from 2 to 10 options; this one has 0."),
    ({"kind": "poll", "options": [f"Opțiunea {n}" for n in range(11)]},
     "A poll needs from 2 to 10 options; this one has 11."),
    ({"kind": "poll", "options": ["Da", "Nu"], "max_choices": 3},
     "Choices per person go from 1 to the number of the poll's options (2)."),
    ({"kind": "poll", "options": ["Da", "Nu"], "max_choices": 0}, "Ensure this value is greater than or equal to 1."),
    ({"kind": "poll", "options": ["Da", "Nu"], "statements": ["Ușor"]},
     "Only a scale has statements: remove them, or make this activity a scale."),
    ({"kind": "scale", "statements": []}, "A scale needs from 1 to 8 statements; this one has 0."),
    ({"kind": "scale", "statements": [f"Afirmația {n}" for n in range(9)]},
     "A scale needs from 1 to 8 statements; this one has 9."),
    ({"kind": "words", "options": ["Da", "Nu"]}, "Only a poll has options: remove them, or make this activity a poll."),
    ({"kind": "brainstorm", "statements": ["Ușor"]},
     "Only a scale has statements: remove them, or make this activity a scale."),
    ({"kind": "brainstorm", "dots_per_participant": 2, "max_dots_per_idea": 3},
     "The cap per idea cannot exceed the dots per person."),
    ({"kind": "brainstorm", "dots_per_participant": 0}, "Ensure this value is greater than or equal to 1."),
    ({"kind": "poll", "options": ["Da", "   "]}, "This field is required."),
    ({"kind": "quiz"}, "Select a valid choice."),
])
def test_a_run_of_show_that_breaks_a_rule_is_refused_and_nothing_is_saved(
    client, facilitator, workshop, show, post, message
):
    client.force_login(facilitator)
    before = stored()
    response = client.post(reverse("activities:add"), activity_post(workshop, title="Nouă", **post))
    assert response.status_code == 200  # the form again, with what is wrong
    assert message in page_text(response)
    assert "The activity could not be created due to errors." in page_text(response)
    assert stored() == before


def test_a_translation_holds_no_activities_of_its_own(client, facilitator, workshop):
    translation = russian_translation(workshop)
    client.force_login(facilitator)
    form = client.get(reverse("activities:add"))
    assert translation.pk not in {page.pk for page in form.context["form"].fields["workshop"].queryset}

    response = client.post(reverse("activities:add"), activity_post(translation, kind="words", title="Слово"))

    assert "Choose a workshop's original page: a translation's activities are its original's." in page_text(response)
    assert not Activity.objects.exists()
    # The model says why, whatever door the activity comes through.
    with translation_override("en"), pytest.raises(ValidationError) as refused:
        Activity(workshop=translation, kind="words", title="Слово").full_clean()
    assert "is a translation: its activities are those of its original" in str(refused.value)


# Edit


def test_a_facilitator_rewords_adds_and_removes_a_polls_options(client, facilitator, workshop, show):
    poll = show["poll"]
    dubasari, calarasi, rezina, other = poll.options.all()
    client.force_login(facilitator)

    response = client.post(reverse("activities:edit", args=[poll.pk]), activity_post(
        workshop, kind="poll", title="Din ce raion veniți?", position=1, max_choices=2,
        options=[(dubasari.pk, "Dubăsari", False), (calarasi.pk, "Călărași", False), (rezina.pk, "Rezina", False),
                 (other.pk, "alt raion", True), "Orhei", "Chișinău"],
    ))

    assert response.status_code == 302
    poll.refresh_from_db()
    assert poll.max_choices == 2
    assert list(poll.options.values_list("text", flat=True)) == ["Dubăsari", "Călărași", "Rezina", "Orhei", "Chișinău"]


def test_removing_all_but_one_option_is_refused_and_nothing_changes(client, facilitator, workshop, show):
    poll = show["poll"]
    options = list(poll.options.all())
    client.force_login(facilitator)
    before = stored()

    response = client.post(reverse("activities:edit", args=[poll.pk]), activity_post(
        workshop, kind="poll", title="Redenumit", position=1,
        options=[(options[0].pk, options[0].text, False)] + [(o.pk, o.text, True) for o in options[1:]],
    ))

    assert response.status_code == 200
    assert "A poll needs from 2 to 10 options; this one has 1." in page_text(response)
    assert stored() == before


def test_an_answered_activity_keeps_its_kind_and_workshop(client, facilitator, workshop, show, participant, tree):
    poll = show["poll"]
    answer = PollAnswer.objects.create(participant=participant, activity=poll)
    answer.options.set([poll.options.first()])
    other = WorkshopPageFactory(parent=tree["workshop_index"], title="Alt atelier", join_code="ELSE11")
    client.force_login(facilitator)

    form = client.get(reverse("activities:edit", args=[poll.pk])).context["form"]
    assert form.fields["kind"].disabled and form.fields["workshop"].disabled
    # A crafted post cannot turn it into a word cloud elsewhere: the fixed fields keep their value.
    options = [(o.pk, o.text, False) for o in poll.options.all()]
    response = client.post(reverse("activities:edit", args=[poll.pk]), activity_post(
        other, kind="words", title="Din ce raion sunteți?", position=1, options=options,
    ))
    assert response.status_code == 302
    poll.refresh_from_db()
    assert (poll.kind, poll.workshop_id, poll.title) == ("poll", workshop.pk, "Din ce raion sunteți?")
    # The model holds the rule too.
    poll.kind = "words"
    with translation_override("en"), pytest.raises(ValidationError, match="keeps its kind and workshop"):
        poll.full_clean()


def test_an_unanswered_activity_may_change_kind(client, facilitator, workshop, show):
    words = show["words"]
    client.force_login(facilitator)
    form = client.get(reverse("activities:edit", args=[words.pk])).context["form"]
    assert not form.fields["kind"].disabled
    response = client.post(reverse("activities:edit", args=[words.pk]), activity_post(
        workshop, kind="poll", title="Un cuvânt, dintre trei", position=4, options=["Rapid", "Aproape", "Simplu"],
    ))
    assert response.status_code == 302
    words.refresh_from_db()
    assert words.kind == "poll" and words.options.count() == 3


def test_editing_the_current_activity_shows_phones_its_new_wording(
    client, facilitator, workshop, monkeypatch, django_capture_on_commit_callbacks
):
    show = run_of_show(set_phase(workshop, "open"), current="poll")
    poll = show["poll"]
    published = []
    monkeypatch.setattr("ideas.realtime.publish", lambda workshop_id, event: published.append((workshop_id, event)))
    monkeypatch.setattr("ideas.realtime.tallies_changed", lambda workshop_id: published.append((workshop_id, "tally")))
    client.force_login(facilitator)
    options = [(o.pk, o.text, False) for o in poll.options.all()]
    options[3] = (options[3][0], "alt raion al Moldovei", False)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("activities:edit", args=[poll.pk]), activity_post(
            workshop, kind="poll", title="Din ce raion veniți?", position=1, options=options,
        ))

    [(room, event), (_room, run), refigured] = published
    assert refigured == (workshop.pk, "tally")  # its figures, should an option have gone
    assert room == workshop.pk and event["type"] == "activity"
    assert event["activity"]["id"] == poll.pk and event["activity"]["phase"] == "open"
    assert [o["text"] for o in event["activity"]["options"]][3] == "alt raion al Moldovei"
    assert run["type"] == "activities" and run["current_activity"] == poll.pk
    # An activity the room is not on: the room gets its run of show (the new title), and stays.
    published.clear()
    scale = show["scale"]
    statements = [(s.pk, s.text, False) for s in scale.statements.all()]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("activities:edit", args=[scale.pk]), activity_post(
            workshop, kind="scale", title="Cât de greu este azi…", position=2, statements=statements,
        ))
    [(room, run)] = published
    assert (room, run["type"], run["current_activity"]) == (workshop.pk, "activities", poll.pk)
    assert [a["title"] for a in run["activities"]][1] == "Cât de greu este azi…"


def test_a_facilitator_words_an_activity_in_other_languages_and_the_room_gets_them(
    client, facilitator, workshop, monkeypatch, django_capture_on_commit_callbacks
):
    show = run_of_show(set_phase(workshop, "open"), current="poll")
    poll = show["poll"]
    published = []
    monkeypatch.setattr("ideas.realtime.publish", lambda workshop_id, event: published.append((workshop_id, event)))
    monkeypatch.setattr("ideas.realtime.tallies_changed", lambda workshop_id: None)
    client.force_login(facilitator)
    form = page_text(client.get(reverse("activities:edit", args=[poll.pk])))
    # The workshop speaks Romanian: its title and prompt are the activity's own; the other two
    # languages each get theirs.
    assert 'name="title_ru"' in form and 'name="prompt_en"' in form and 'name="title_ro"' not in form
    options = [(o.pk, o.text, False) for o in poll.options.all()]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("activities:edit", args=[poll.pk]), activity_post(
            workshop, kind="poll", title="Din ce raion veniți?", position=1, options=options,
            title_ru="  Из какого вы района?  ", prompt_ru="", title_en="", prompt_en="Pick one",
            title_ro="ignored: the workshop's own language",
        ))

    assert response.status_code == 302
    poll.refresh_from_db()
    assert poll.translations == {"ru": {"title": "Из какого вы района?", "prompt": ""},
                                 "en": {"title": "", "prompt": "Pick one"}}
    [(_room, event), (_room2, run)] = published
    assert event["activity"]["translations"]["ru"]["title"] == "Из какого вы района?"
    assert run["activities"][0]["translations"] == poll.translations
    # Shown again, the form holds them; emptied, a language's wording is gone.
    form = page_text(client.get(reverse("activities:edit", args=[poll.pk])))
    assert 'value="Из какого вы района?"' in form
    client.post(reverse("activities:edit", args=[poll.pk]), activity_post(
        workshop, kind="poll", title="Din ce raion veniți?", position=1, options=options,
        title_ru="", prompt_ru="", title_en="", prompt_en="Pick one",
    ))
    poll.refresh_from_db()
    assert poll.translations == {"en": {"title": "", "prompt": "Pick one"}}


def test_a_too_long_translated_title_is_refused_and_nothing_changes(client, facilitator, workshop, show):
    poll = show["poll"]
    client.force_login(facilitator)
    before = stored()
    response = client.post(reverse("activities:edit", args=[poll.pk]), activity_post(
        workshop, kind="poll", title=poll.title, position=1,
        options=[(o.pk, o.text, False) for o in poll.options.all()], title_ru="я" * (Activity.MAX_TITLE + 1),
    ))
    assert response.status_code == 200
    assert "Ensure this value has at most 200 characters" in page_text(response)
    assert stored() == before
    poll.refresh_from_db()
    assert poll.translations == {}


# Delete


def test_a_facilitator_deletes_an_answered_poll_with_its_answers(client, facilitator, workshop, show, participant):
    poll = show["poll"]
    answer = PollAnswer.objects.create(participant=participant, activity=poll)
    answer.options.set([poll.options.first()])
    client.force_login(facilitator)

    assert client.get(reverse("activities:delete", args=[poll.pk])).status_code == 200
    response = client.post(reverse("activities:delete", args=[poll.pk]))

    assert response.status_code == 302
    assert not Activity.objects.filter(pk=poll.pk).exists()
    assert not PollAnswer.objects.exists() and not PollOption.objects.filter(activity_id=poll.pk).exists()
    assert Activity.objects.filter(workshop=workshop).count() == 3


def test_the_brainstorm_that_holds_the_ideas_cannot_be_deleted(client, facilitator, workshop):
    show = run_of_show(workshop, current="poll")
    brainstorm = show["brainstorm"]
    IdeaFactory(workshop=workshop, activity=brainstorm, participant=ParticipantFactory(workshop=workshop))
    client.force_login(facilitator)

    edit = page_text(client.get(reverse("activities:edit", args=[brainstorm.pk])))
    assert reverse("activities:delete", args=[brainstorm.pk]) not in edit
    for method in ("get", "post"):
        response = getattr(client, method)(reverse("activities:delete", args=[brainstorm.pk]), follow=True)
        assert "This brainstorm holds the workshop's ideas: it cannot be deleted." in page_text(response)
    assert Activity.objects.filter(pk=brainstorm.pk).exists()


def test_the_activity_the_room_is_on_cannot_be_deleted(client, facilitator, workshop, show):
    words = show["words"]
    client.force_login(facilitator)
    # Without ideas, a brainstorm may go, but not while the room is on it.
    response = client.post(reverse("activities:delete", args=[show["brainstorm"].pk]), follow=True)
    assert "The room is on this activity: move the room to another activity before deleting it." in page_text(response)
    assert Activity.objects.filter(pk=show["brainstorm"].pk).exists()
    # Elsewhere in the agenda, it may.
    assert client.post(reverse("activities:delete", args=[words.pk])).status_code == 302
    assert not Activity.objects.filter(pk=words.pk).exists()

