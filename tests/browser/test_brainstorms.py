"""Two brainstorms in DEMO29's run of show, in Chromium: the facilitator's console moves the room
from the demo brainstorm (voting) to a second one after the word cloud; a phone that spent its
dots in the first shows, without a reload, the second's ideas and its own dots, and votes there
by the second's rules (the first allows one dot per idea, the second any number)."""

from playwright.sync_api import expect

from ideas.models import Activity, DotBudget, Idea, Vote
from workshop_site.workshops.models import WorkshopPage

from .test_run_of_show import _facilitator, _go, _join, _seed


def _row(page, idea: Idea):
    return page.locator(f'#idea-list > li.idea[data-idea-id="{idea.pk}"]')


def test_a_phone_follows_the_room_to_a_second_brainstorm_and_votes_there_with_its_dots(live_server_url, browser):
    _seed()
    room = WorkshopPage.find_by_code("DEMO29")
    first = Activity.objects.get(workshop=room, kind="brainstorm")
    Activity.objects.filter(pk=first.pk).update(max_dots_per_idea=1)
    words = Activity.objects.get(workshop=room, kind="words")
    second = Activity.objects.create(workshop=room, position=words.position + 1, kind="brainstorm", title="Soluții",
                                     dots_per_participant=2, phase="ideas")
    solution = Idea.objects.create(workshop=room, activity=second, text="Ghișeu mobil în fiecare primărie")
    # The problems brainstorm runs by table: the phone sits at Rezina's (`_join`) and votes there.
    problems = list(Idea.objects.filter(activity=first, table__slug="rezina").order_by("created", "pk")[:3])
    assert len(problems) == 3

    console = _facilitator(browser, live_server_url, "ro")
    phone = _join(browser, live_server_url, "ro", "Maria", "citizen")
    phone.evaluate("window.__notReloaded = true")  # gone if the page ever reloads
    dots = phone.locator("#dots-left-text")
    expect(dots).to_have_text("Buline rămase: 3 din 3")

    _go(console, first, "voting")
    expect(phone.locator("#live-root")).to_have_attribute("data-phase", "voting")
    for n, idea in enumerate(problems, start=1):
        _row(phone, idea).locator("button.vote-cast").click()
        expect(dots).to_have_text(f"Buline rămase: {3 - n} din 3")
        # One dot per idea here: its + is off at once.
        expect(_row(phone, idea).locator("button.vote-cast")).to_have_attribute("aria-disabled", "true")
    expect(phone.locator("#dots-left-dots .dot.is-free")).to_have_count(0)

    _go(console, second, "voting")
    expect(phone.locator("#idea-list > li.idea")).to_have_count(1)
    expect(_row(phone, solution)).to_contain_text("Ghișeu mobil în fiecare primărie")
    expect(dots).to_have_text("Buline rămase: 2 din 2")
    expect(phone.locator("#dots-left-dots .dot.is-free")).to_have_count(2)

    # Both dots on the one idea: the second brainstorm has no cap, whatever the first's.
    cast = _row(phone, solution).locator("button.vote-cast")
    cast.click()
    expect(dots).to_have_text("Buline rămase: 1 din 2")
    cast.click()
    expect(dots).to_have_text("Buline rămase: 0 din 2")
    expect(_row(phone, solution)).to_have_attribute("data-my-dots", "2")
    expect(_row(phone, solution).locator(".idea-error")).to_have_text("")
    # The console shows the second brainstorm's idea with both dots.
    expect(console.locator(f'[data-idea-id="{solution.pk}"][data-votes="2"]').first).to_be_attached()
    assert phone.evaluate("window.__notReloaded") is True
    assert Vote.objects.filter(idea=solution).count() == 2
    assert dict(DotBudget.objects.filter(participant__display_name="Maria").values_list("activity_id", "dots_left")) == {
        first.pk: 0, second.pk: 0}
