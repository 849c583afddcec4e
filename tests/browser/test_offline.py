"""A phone that loses the network in DEMO29 (issue #19): the service worker keeps its page, so a
reload without network still shows it; what the person does meanwhile waits on the phone with
its ref, across the reload, and is sent once when the network is back, each write ending in an
ack or in an error the phone shows. Ana's phone reaches the site through the cuttable proxy of
test_live_workshop (a real network loss: the socket dies and new connections are refused, and
the browser context is offline too); Bogdan's phone and the facilitator's console stay online.
"""

import re

from playwright.sync_api import Expect

from ideas.models import Activity, Idea, Participant, Vote
from tests.browser.test_live_workshop import CuttableProxy
from tests.browser.test_run_of_show import _facilitator, _go, _join, _seed
from workshop_site.workshops.models import WorkshopPage

IDEA = "Un punct de internet gratuit în fiecare primărie"
expect = Expect()
expect.set_options(timeout=15_000)

# The page and each of its files are in the worker's cache (what an offline reload needs).
KEPT = """() => navigator.serviceWorker.controller !== null && Promise.all(
  [location.pathname].concat(Array.from(document.querySelectorAll('script[src], link[rel~="stylesheet"]'), e => e.src || e.href))
    .map(url => caches.match(url, {ignoreVary: true}))
).then(found => found.every(Boolean))"""


def _offline(phone, proxy):
    phone.context.set_offline(True)
    proxy.cut()
    expect(phone.locator("#live-banner")).to_have_attribute("data-state", "offline")


def _online(phone, proxy):
    proxy.restore()
    phone.context.set_offline(False)


def _waiting(phone, n: int):
    """The banner says the phone is offline and how many of its writes wait (in its words)."""
    expect(phone.locator("#live-banner")).to_have_attribute("data-state", "offline")
    expect(phone.locator("#live-status")).to_have_text(re.compile(rf"(^|\D){n}$"))


def _kept(phone) -> list:
    return phone.evaluate("Object.keys(localStorage).filter(k => k.startsWith('atelier-kept'))")


def _row(phone, idea: Idea):
    return phone.locator(f"#idea-list li[data-idea-id='{idea.pk}']")


def test_a_phone_offline_keeps_its_idea_and_dots_across_a_reload_and_sends_each_once(live_server_url, browser):
    _seed()
    room = WorkshopPage.find_by_code("DEMO29")
    brainstorm = Activity.objects.get(workshop=room, kind="brainstorm")
    proxy = CuttableProxy(int(live_server_url.rsplit(":", 1)[1]))
    try:
        ana = _join(browser, proxy.url, "ro", "Ana", "citizen")
        bogdan = _join(browser, live_server_url, "ro", "Bogdan", "provider")
        console = _facilitator(browser, live_server_url, "ro")
        ana.wait_for_function(KEPT, polling=200)
        me = Participant.objects.get(workshop=room, display_name="Ana")

        # 1. Ideas: Ana posts one without network; the banner counts it, and so does a reload.
        _offline(ana, proxy)
        ana.locator("#idea-text").fill(IDEA)
        ana.locator("#idea-submit").click()
        _waiting(ana, 1)
        ana.reload()
        expect(ana.locator("#live-root[data-joined=true] #idea-form")).to_be_visible()  # the kept page
        _waiting(ana, 1)
        assert not Idea.objects.filter(text=IDEA).exists()

        # The network is back: the idea goes once, both phones have it, the phone says so.
        _online(ana, proxy)
        for phone in (ana, bogdan):
            expect(phone.locator("#idea-list .idea-text", has_text=IDEA)).to_have_count(1)
        expect(ana.locator("#queue-report")).to_have_text(re.compile(r"(^|\D)1$"))
        expect(ana.locator("#queue-report")).not_to_have_class(re.compile("error-summary"))
        idea = Idea.objects.get(text=IDEA)
        assert idea.participant_id == me.pk
        assert _kept(ana) == []

        # 2. Voting: Ana spends two dots on it offline and reloads; they wait, then go once.
        _go(console, brainstorm, "voting")
        expect(ana.locator("#live-root")).to_have_attribute("data-phase", "voting")
        _offline(ana, proxy)
        _row(ana, idea).locator("button.vote-cast").click()
        _row(ana, idea).locator("button.vote-cast").click()
        expect(_row(ana, idea)).to_have_attribute("data-my-dots", "2")
        _waiting(ana, 2)
        ana.reload()
        _waiting(ana, 2)
        assert not Vote.objects.filter(idea=idea).exists()
        _online(ana, proxy)
        expect(_row(ana, idea)).to_have_attribute("data-my-dots", "2")
        for phone in (ana, bogdan):
            expect(_row(phone, idea)).to_have_attribute("data-votes", "2")
        expect(ana.locator("#queue-report")).to_have_text(re.compile(r"(^|\D)2$"))
        assert Vote.objects.filter(idea=idea, participant=me).count() == 2
        assert Vote.objects.filter(idea=idea).count() == 2
        results = bogdan.request.get(f"{live_server_url}/api/workshops/DEMO29/results").json()
        assert [i["votes"] for i in results["ideas"] if i["id"] == idea.pk] == [2]

        # 3. A dot kept offline while the facilitator closes the vote: refused, and the phone says so.
        _offline(ana, proxy)
        _row(ana, idea).locator("button.vote-cast").click()
        _waiting(ana, 1)
        ana.reload()
        _waiting(ana, 1)
        _go(console, brainstorm, "results")
        _online(ana, proxy)
        expect(ana.locator("#queue-report")).to_have_class(re.compile("error-summary"))
        expect(ana.locator("#queue-report p")).to_have_count(1)
        expect(ana.locator("#live-root")).to_have_attribute("data-phase", "results")
        assert _kept(ana) == []

        # Nothing was applied twice, and a reload online sends nothing again.
        ana.reload()
        expect(ana.locator("#live-banner")).to_have_attribute("data-state", "online")
        bogdan.reload()
        expect(_row(bogdan, idea)).to_have_attribute("data-votes", "2")
        assert Vote.objects.filter(idea=idea).count() == 2
        assert Idea.objects.filter(text=IDEA).count() == 1
        assert _kept(ana) == []
    finally:
        proxy.stop()
