"""The participant's screen without JavaScript (issue #19, progressive enhancement): the server
draws the whole screen (the ideas with their counts and this person's dots, the current poll,
scale or word cloud), and each of its forms posts to /w/<code>/, goes through the service the
socket's message goes to, and comes back (303) with what happened, by the element it was about.
A refusal says why and changes nothing."""

import re
from html import unescape

import pytest
from django.test import Client
from django.utils import translation

from ideas import services
from ideas.models import Activity, Idea, PollAnswer, ScaleRating, Table, Vote, WordEntry
from ideas.sessions import participant_id_for

from .conftest import set_phase
from .factories import IdeaFactory, ParticipantFactory, run_of_show

pytestmark = pytest.mark.django_db


def said(text: str, **values) -> str:
    """A message as the page says it: in Romanian, the language of a phone that asks none."""
    with translation.override("ro"):
        message = translation.gettext(text)
    return message % values if values else message


def drawn(text: str, **values) -> str:
    """One of the script's `{name}` strings in Romanian, filled in as the script fills it."""
    with translation.override("ro"):
        message = translation.gettext(text)
    for name, value in values.items():
        message = message.replace("{" + name + "}", str(value))
    return message


def joined(workshop, **fields) -> tuple[Client, int]:
    """A phone that joined through the join form, as a browser does; with its participant id."""
    client = Client()
    response = client.post(f"/w/{workshop.join_code}/", {"display_name": "Maria", "role": "citizen", **fields})
    assert response.status_code == 302
    return client, participant_id_for(client.session, workshop.pk)


def sent(client, workshop, data: dict, *, anchor: str) -> str:
    """Post a form of the screen; it answers 303 to the screen at `anchor`, which is read."""
    response = client.post(f"/w/{workshop.join_code}/", data)
    assert response.status_code == 303, response.content[:500]
    assert response["Location"] == f"/w/{workshop.join_code}/" + (f"#{anchor}" if anchor else "")
    page = client.get(response["Location"].split("#")[0])
    assert page.status_code == 200
    return page.content.decode()


def element(page: str, element_id: str) -> str:
    """The element with this id, up to the first closing tag of its name (none is nested)."""
    found = re.search(rf'<(\w+)[^>]* id="{element_id}"[^>]*>.*?</\1>', page, re.S)
    assert found, element_id
    return found.group(0)


def idea_item(page: str, idea_id: int) -> str:
    found = re.search(rf'<li class="idea" id="idea-{idea_id}".*?\n    </li>', page, re.S)
    assert found, f"idea {idea_id} is not on the page"
    return found.group(0)


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture
def author(workshop):
    return ParticipantFactory(workshop=workshop, display_name="Ion")


@pytest.fixture
def room_ideas(workshop, author):
    return [IdeaFactory(workshop=workshop, participant=author, text=text)
            for text in ("Scaner portabil", "Programare prin SMS")]


# --- the brainstorm -------------------------------------------------------------------------

def test_posting_an_idea_stores_it_with_its_tags_and_says_so(workshop):
    workshop.suggested_tags.add("online")
    workshop.save()
    client, _ = joined(workshop)
    form = client.get("/w/LIVE23/").content.decode()
    assert re.search(r'<form id="idea-form" class="idea-form" method="post"', form)
    assert re.search(r'<input type="checkbox" name="tags" value="online">', form)

    page = sent(client, workshop, {"action": "idea.post", "text": "Formular  mai scurt\r\npe hârtie", "tags": ["online"]},
                anchor="compose")
    idea = Idea.objects.get(workshop=workshop)
    assert idea.text == "Formular  mai scurt\npe hârtie" and list(idea.tags.names()) == ["online"]
    assert said("Idea posted. Thank you!") in text_of(element(page, "idea-status"))
    assert "Formular  mai scurt\npe hârtie" in idea_item(page, idea.pk)


def test_an_idea_goes_to_the_brainstorm_its_form_was_drawn_for_should_the_room_move_on(workshop):
    set_phase(workshop, "ideas")
    problems = Activity.objects.create(workshop=workshop, position=1, kind="brainstorm", title="Probleme",
                                       is_current=True, phase="ideas")
    solutions = Activity.objects.create(workshop=workshop, position=2, kind="brainstorm", title="Soluții",
                                        phase="ideas")
    client, _ = joined(workshop)
    form = element(client.get("/w/LIVE23/").content.decode(), "idea-form")
    assert f'<input type="hidden" name="activity" value="{problems.pk}">' in form
    # The facilitator moves the room to the solutions while the phone's form is still open.
    Activity.objects.filter(pk=problems.pk).update(is_current=False)
    Activity.objects.filter(pk=solutions.pk).update(is_current=True)

    sent(client, workshop, {"action": "idea.post", "text": "Coadă lungă la ghișeu", "activity": str(problems.pk)},
         anchor="compose")
    assert Idea.objects.get(text="Coadă lungă la ghișeu").activity_id == problems.pk


def test_the_forms_carry_the_csrf_token_a_strict_client_needs(workshop, room_ideas):
    client, _ = joined(workshop)
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    page = strict.get("/w/LIVE23/").content.decode()
    token = re.search(r'<form id="idea-form".*?name="csrfmiddlewaretoken" value="([^"]+)"', page, re.S).group(1)
    assert strict.post("/w/LIVE23/", {"action": "idea.post", "text": "Fără token"}).status_code == 403
    assert strict.post("/w/LIVE23/", {"action": "idea.post", "text": "Cu token", "csrfmiddlewaretoken": token}
                       ).status_code == 303
    assert list(Idea.objects.filter(text__in=["Fără token", "Cu token"]).values_list("text", flat=True)) == ["Cu token"]
    # Each idea's dots are a form of their own, with the token.
    item = idea_item(page, room_ideas[0].pk)
    assert re.search(r'<form class="idea-vote when-voting when-joined" method="post"><input type="hidden" '
                     r'name="csrfmiddlewaretoken"', item)


def test_the_same_form_sent_twice_posts_one_idea(workshop):
    client, _ = joined(workshop)
    page = client.get("/w/LIVE23/").content.decode()
    ref = re.search(r'<form id="idea-form".*?name="ref" value="([^"]+)"', page, re.S).group(1)
    for _ in range(2):  # a second tap before the first answer came back
        page = sent(client, workshop, {"action": "idea.post", "text": "O singură dată", "ref": ref}, anchor="compose")
        assert said("Idea posted. Thank you!") in text_of(element(page, "idea-status"))
    assert Idea.objects.filter(text="O singură dată").count() == 1
    # The next page draws its forms anew: the same words are a new idea.
    ref = re.search(r'<form id="idea-form".*?name="ref" value="([^"]+)"', page, re.S).group(1)
    sent(client, workshop, {"action": "idea.post", "text": "O singură dată", "ref": ref}, anchor="compose")
    assert Idea.objects.filter(text="O singură dată").count() == 2


def test_dots_are_placed_and_taken_back_and_the_page_shows_the_counts(workshop, room_ideas):
    client, me = joined(workshop)
    other, _ = joined(workshop)
    set_phase(workshop, "voting")
    first, second = room_ideas
    sent(other, workshop, {"action": "vote.cast", "idea": str(second.pk)}, anchor=f"idea-{second.pk}")

    page = sent(client, workshop, {"action": "vote.cast", "idea": str(first.pk)}, anchor=f"idea-{first.pk}")
    page = sent(client, workshop, {"action": "vote.cast", "idea": str(first.pk)}, anchor=f"idea-{first.pk}")
    assert Vote.objects.filter(participant_id=me, idea=first).count() == 2
    item = idea_item(page, first.pk)
    assert said("One dot placed; dots left: %(left)d.", left=1) in text_of(item)
    assert 'data-my-dots="2"' in item and 'data-votes="2"' in item
    assert drawn("Votes: {n}", n=2) in text_of(item) and re.search(r'<p class="idea-tally">', item)
    assert drawn("Your dots: {n}", n=2) in text_of(item)
    assert drawn("Dots left: {left} of {total}", left=1, total=3) in text_of(element(page, "dots-left-text"))
    # Ranked by votes, as the script ranks them: 2 before 1.
    assert page.index(f'id="idea-{first.pk}"') < page.index(f'id="idea-{second.pk}"')
    assert 'data-votes="1"' in idea_item(page, second.pk)

    page = sent(client, workshop, {"action": "vote.retract", "idea": str(first.pk)}, anchor=f"idea-{first.pk}")
    item = idea_item(page, first.pk)
    assert Vote.objects.filter(participant_id=me, idea=first).count() == 1
    assert said("One dot taken back; dots left: %(left)d.", left=2) in text_of(item)
    assert 'data-my-dots="1"' in item and 'data-votes="1"' in item
    assert drawn("Dots left: {left} of {total}", left=2, total=3) in text_of(element(page, "dots-left-text"))


def test_a_phone_without_javascript_sees_the_ideas_their_counts_and_its_dots_in_the_html(workshop, room_ideas, author):
    client, me = joined(workshop)
    set_phase(workshop, "voting")
    services.vote_cast(participant_id=me, idea_id=room_ideas[1].pk)
    services.vote_cast(participant_id=author.pk, idea_id=room_ideas[1].pk)
    page = client.get("/w/LIVE23/").content.decode()
    listed = re.findall(r'<li class="idea" id="idea-(\d+)"', page)
    assert listed == [str(room_ideas[1].pk), str(room_ideas[0].pk)]
    top = idea_item(page, room_ideas[1].pk)
    assert "Programare prin SMS" in top and drawn("Votes: {n}", n=2) in text_of(top) and drawn("Your dots: {n}", n=1) in text_of(top)
    # The buttons say which idea they are for, as the script names them.
    assert f'aria-label="{drawn("Add a dot to: {idea}", idea="Programare prin SMS")}"' in top
    assert re.search(r'<button type="submit" name="action" value="vote.cast" class="vote-btn vote-cast"', top)
    assert ">(2)</span>" in element(page, "ideas-count")


def test_while_ideas_are_collected_the_newest_is_listed_first_without_counts(workshop, room_ideas):
    client, _ = joined(workshop)
    page = client.get("/w/LIVE23/").content.decode()
    assert re.findall(r'<li class="idea" id="idea-(\d+)"', page) == [str(room_ideas[1].pk), str(room_ideas[0].pk)]
    assert re.search(r'<p class="idea-tally" hidden>', idea_item(page, room_ideas[0].pk))


def test_a_dot_while_the_vote_is_closed_is_refused_and_changes_nothing(workshop, room_ideas):
    client, _ = joined(workshop)
    idea = room_ideas[0]
    page = sent(client, workshop, {"action": "vote.cast", "idea": str(idea.pk)}, anchor=f"idea-{idea.pk}")
    assert said("Voting is not open.") in text_of(idea_item(page, idea.pk))
    assert Vote.objects.count() == 0


def test_an_idea_after_the_collection_closed_is_refused_at_the_top_of_the_page(workshop):
    client, _ = joined(workshop)
    set_phase(workshop, "voting")
    page = sent(client, workshop, {"action": "idea.post", "text": "Prea târziu"}, anchor="compose")
    assert said("Ideas can be posted only while the workshop collects ideas.") in text_of(element(page, "page-notices"))
    assert not Idea.objects.filter(text="Prea târziu").exists()


def test_a_dot_without_dots_left_is_refused(workshop, room_ideas):
    client, me = joined(workshop)
    set_phase(workshop, "voting")
    idea = room_ideas[0]
    for _ in range(3):
        sent(client, workshop, {"action": "vote.cast", "idea": str(idea.pk)}, anchor=f"idea-{idea.pk}")
    page = sent(client, workshop, {"action": "vote.cast", "idea": str(idea.pk)}, anchor=f"idea-{idea.pk}")
    item = idea_item(page, idea.pk)
    assert said("You have no dots left.") in text_of(item)
    assert 'class="notice-error"' in item
    assert Vote.objects.filter(participant_id=me).count() == 3
    assert 'aria-disabled="true">+</button>' in item


def test_a_dot_on_another_tables_idea_is_refused(workshop, tree):
    Activity.objects.create(workshop=workshop, kind="brainstorm", title="Probleme", is_current=True, phase="voting",
                            by_table=True, dots_per_participant=3)
    set_phase(workshop, "voting")
    rezina = Table.objects.create(workshop=workshop, name="Rezina", slug="rezina")
    calarasi = Table.objects.create(workshop=workshop, name="Călărași", slug="calarasi", position=1)
    vera = ParticipantFactory(workshop=workshop, display_name="Vera", table=calarasi)
    theirs = IdeaFactory(workshop=workshop, participant=vera, table=calarasi, text="Lista unică de acte",
                         activity=Activity.objects.get(workshop=workshop))
    client, me = joined(workshop, table=rezina.slug)
    page = client.get("/w/LIVE23/").content.decode()
    assert "Lista unică de acte" not in page.split('id="initial-state"')[0]  # not on this table's screen

    page = sent(client, workshop, {"action": "vote.cast", "idea": str(theirs.pk)}, anchor=f"idea-{theirs.pk}")
    assert said("This idea is another table's: vote on your table's ideas.") in text_of(element(page, "page-notices"))
    assert Vote.objects.count() == 0


def test_a_phone_that_has_not_joined_is_sent_to_join_first(workshop, room_ideas):
    set_phase(workshop, "voting")
    client = Client()
    idea = room_ideas[0]
    page = sent(client, workshop, {"action": "vote.cast", "idea": str(idea.pk)}, anchor=f"idea-{idea.pk}")
    assert 'id="participant-join-form"' in page
    assert said("Join the workshop first.") in text_of(element(page, "page-notices"))
    assert Vote.objects.count() == 0


@pytest.mark.parametrize("data", [
    {"action": "vote.cast", "idea": "abc"},
    {"action": "vote.cast", "idea": "9" * 30},
    {"action": "vote.cast"},
    {"action": "idea.post", "text": ""},
    {"action": "idea.post", "text": "x", "tags": [f"t{n}" for n in range(9)]},
    {"action": "idea.post", "text": "x", "activity": "nope"},
    {"action": "idea.post", "text": "x", "activity": "424242"},
    {"action": "launch.rockets"},
    {"action": "poll.answer", "activity": "nope", "options": ["1"]},
    {"action": "scale.rate", "activity": "1", "statement-x": "9"},
    {"action": "words.add", "activity": "999999999999999999999", "text": "a"},
    {"action": "idea.post", "text": "Cu ref ciudat", "ref": "x" * 500},
])
def test_nonsense_from_a_form_is_refused_with_a_message_never_a_crash(workshop, data):
    client, _ = joined(workshop)
    response = client.post("/w/LIVE23/", data)
    assert response.status_code == 303
    page = client.get("/w/LIVE23/").content.decode()
    if data.get("text") == "Cu ref ciudat":  # an odd ref is no ref: the idea is posted, once
        assert Idea.objects.filter(text="Cu ref ciudat").count() == 1
        return
    assert 'class="notice-error"' in page or 'notice notice-error' in page
    assert Idea.objects.count() == 0 and Vote.objects.count() == 0


# --- the run of show: a poll, a scale, a word cloud -------------------------------------------

@pytest.fixture
def activities(workshop):
    return run_of_show(workshop, current="none")


def _current(workshop, activity, phase="open"):
    Activity.objects.filter(workshop=workshop).update(is_current=False)
    Activity.objects.filter(pk=activity.pk).update(is_current=True, phase=phase)
    set_phase(workshop, phase)


def test_a_poll_answer_is_saved_and_the_room_s_answers_show(workshop, activities):
    poll = activities["poll"]
    _current(workshop, poll)
    client, me = joined(workshop)
    options = list(poll.options.order_by("sort_order"))
    page = client.get("/w/LIVE23/").content.decode()
    section = element(page, "activity")
    assert re.search(rf'<fieldset class="act-choices"><legend>{drawn("Choose one answer")}</legend>', section)
    assert len(re.findall(r'<input type="radio" name="options"', section)) == 4

    page = sent(client, workshop, {"action": "poll.answer", "activity": str(poll.pk), "options": [str(options[2].pk)]},
                anchor="activity")
    assert list(PollAnswer.objects.get(participant_id=me, activity=poll).options.all()) == [options[2]]
    section = element(page, "activity")
    assert said("Answer saved. You can change it while the poll is open.") in text_of(section)
    assert re.search(rf'value="{options[2].pk}" id="opt-{poll.pk}-{options[2].pk}" checked>', section)
    assert re.search(rf'<li class="act-bar" data-key="{options[2].pk}" data-value="1">.*?1 \(100%\)</span>', section)
    assert drawn("Change my answer") in section  # the button now changes the answer


def test_an_option_of_another_poll_is_refused_and_the_answer_kept(workshop, activities, tree):
    poll = activities["poll"]
    _current(workshop, poll)
    client, me = joined(workshop)
    options = list(poll.options.order_by("sort_order"))
    sent(client, workshop, {"action": "poll.answer", "activity": str(poll.pk), "options": [str(options[0].pk)]},
         anchor="activity")
    other = run_of_show(type(workshop).objects.get(pk=workshop.pk), current="none")["poll"].options.first()
    page = sent(client, workshop, {"action": "poll.answer", "activity": str(poll.pk), "options": [str(other.pk)]},
                anchor="activity")
    assert said("This option does not belong to this poll.") in text_of(element(page, "activity"))
    assert list(PollAnswer.objects.get(participant_id=me, activity=poll).options.all()) == [options[0]]

    page = sent(client, workshop, {"action": "poll.answer", "activity": str(poll.pk)}, anchor="activity")
    assert said("Choose an answer first.") in text_of(element(page, "activity"))


def test_a_poll_closed_in_the_meantime_refuses_the_answer(workshop, activities):
    poll = activities["poll"]
    _current(workshop, poll, "results")
    client, me = joined(workshop)
    page = sent(client, workshop, {"action": "poll.answer", "activity": str(poll.pk),
                                   "options": [str(poll.options.first().pk)]}, anchor="activity")
    assert said("This activity is not open for answers.") in text_of(element(page, "page-notices"))
    assert not PollAnswer.objects.exists()


def test_scale_ratings_are_saved_together(workshop, activities):
    scale = activities["scale"]
    _current(workshop, scale)
    client, me = joined(workshop)
    first, second, _third = scale.statements.order_by("sort_order")
    page = client.get("/w/LIVE23/").content.decode()
    section = element(page, "activity")
    assert section.count('<fieldset class="act-rate"><legend>') == 3
    assert re.search(rf'id="rate-{first.pk}-1" aria-label="1 foarte greu">', section)
    assert "<noscript><button" in section  # the button a phone without the script sends them with

    page = sent(client, workshop, {"action": "scale.rate", "activity": str(scale.pk), f"statement-{first.pk}": "2",
                                   f"statement-{second.pk}": "5"}, anchor="activity")
    assert dict(ScaleRating.objects.filter(participant_id=me).values_list("statement_id", "value")) == {
        first.pk: 2, second.pk: 5}
    section = element(page, "activity")
    with translation.override("ro"):
        assert translation.ngettext("%(n)d rating saved.", "%(n)d ratings saved.", 2) % {"n": 2} in text_of(section)
    assert re.search(rf'id="rate-{first.pk}-2" checked>', section)
    assert re.search(rf'<li class="act-scale" data-key="{second.pk}" data-ratings="1">', section)
    assert "1: 0, 2: 0, 3: 0, 4: 0, 5: 1" in section


def test_a_rating_out_of_range_changes_no_rating(workshop, activities):
    scale = activities["scale"]
    _current(workshop, scale)
    client, me = joined(workshop)
    first, second, _third = scale.statements.order_by("sort_order")
    sent(client, workshop, {"action": "scale.rate", "activity": str(scale.pk), f"statement-{first.pk}": "3",
                            f"statement-{second.pk}": "7"}, anchor="activity")
    assert not ScaleRating.objects.exists()  # all of the form or none of it


def test_words_are_added_once_each(workshop, activities):
    words = activities["words"]
    _current(workshop, words)
    client, me = joined(workshop)
    page = sent(client, workshop, {"action": "words.add", "activity": str(words.pk), "text": "Acte"}, anchor="activity")
    section = element(page, "activity")
    assert said("Word added.") in text_of(section)
    assert '<li class="chip">Acte</li>' in section
    assert re.search(r'<li class="cloud-word cloud-6" data-key="acte" data-count="1"><span>Acte</span>', section)
    page = sent(client, workshop, {"action": "words.add", "activity": str(words.pk), "text": "ACTE"}, anchor="activity")
    assert said("You already gave this word.") in text_of(element(page, "activity"))
    assert WordEntry.objects.filter(participant_id=me).count() == 1


def test_the_form_of_an_activity_shows_only_to_who_joined_and_only_while_open(workshop, activities):
    poll = activities["poll"]
    _current(workshop, poll, "draft")
    client, _ = joined(workshop)
    section = element(client.get("/w/LIVE23/").content.decode(), "activity")
    assert "<form" not in section and 'class="note"' in section
    _current(workshop, poll, "results")
    section = element(client.get("/w/LIVE23/").content.decode(), "activity")
    assert "<form" not in section and 'data-revealed="true"' in section and '<div class="act-figures">' in section
