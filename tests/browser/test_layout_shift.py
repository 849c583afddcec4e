"""The joined phone's screen does not move when its scripts and the socket's snapshot arrive
(issue #16: Lighthouse found a cumulative layout shift of 0.336 on /w/DEMO29/).

The server draws the joined state (dots left, the ideas count) as participant.js draws it. The
test holds the page's scripts back, as a slow phone network does, measures the page the server
drew, lets the scripts run and waits for the socket's snapshot; nothing above the list of ideas
may move, and the layout shifts Chromium reports (PerformanceObserver 'layout-shift', the entries
CLS sums) stay within Lighthouse's bar of 0.05. The tests/pages tests pin the markup."""

from tests.factories import WorkshopPageFactory
from tests.ideas.factories import IdeaFactory, ParticipantFactory

CODE = "LIVE23"
MAX_CLS = 0.05
# Recorded from the start of the document, before any of its own scripts run.
OBSERVE_SHIFTS = """
window.__shifts = [];
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (e) {
    if (!e.hadRecentInput) window.__shifts.push({value: e.value, sources: (e.sources || []).map(function (s) {
      return s.node ? (s.node.id || s.node.className || s.node.nodeName) : '';
    })});
  });
}).observe({type: 'layout-shift', buffered: true});
"""
WATCHED = ["#live-title", "#dots-left", "#compose", "#ideas-heading"]


def boxes(page) -> dict[str, dict]:
    return {selector: page.locator(selector).bounding_box() for selector in WATCHED if page.locator(selector).count()}


def test_the_joined_phone_screen_does_not_move_when_the_scripts_take_over(live_server_url, browser, tree):
    # Without the service worker (offline.js): page routes do not see what a worker fetches.
    context = browser.new_context(viewport={"width": 390, "height": 844}, service_workers="block")
    page = context.new_page()
    page.set_default_timeout(10_000)
    workshop = WorkshopPageFactory(parent=tree["workshop_index"], join_code=CODE, phase="ideas", dots_per_participant=3)
    author = ParticipantFactory(workshop=workshop)
    for text in ("Un scaner portabil în mașina echipei mobile", "Acces la registrele electronice", "Programare prin SMS"):
        IdeaFactory(workshop=workshop, participant=author, text=text)

    # Join through the form, as a phone does: the session cookie is in the browser's jar.
    page.goto(f"{live_server_url}/w/{CODE}/")
    page.locator("#id_display_name").fill("Maria")
    page.locator("#id_role_0").check()
    page.locator("#participant-join-submit").click()
    page.wait_for_selector("#idea-list li.idea")
    # The server draws the ideas: wait for this page's scripts too, so that the socket awaited
    # below is the next page's, not this one's opening late.
    page.wait_for_load_state("load")

    # Open it again with the scripts held back until the drawn page has been measured.
    held, holding = [], [True]

    def hold(route):
        if holding[0]:
            held.append(route)  # answered below, once the drawn page has been measured
        else:
            route.continue_()

    page.route("**/*.js", hold)
    page.add_init_script(OBSERVE_SHIFTS)
    with page.expect_websocket() as socket_opened:
        page.goto(f"{live_server_url}/w/{CODE}/", wait_until="commit")
        page.wait_for_selector("#initial-state", state="attached")
        page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")  # painted
        drawn = boxes(page)
        assert page.locator("#dots-left-text").inner_text().strip(), "the dots left are in the server's HTML"
        assert len(held) == 4, [route.request.url for route in held]  # live.js, activities.js, participant.js, offline.js
        holding[0] = False
        for route in held:
            route.continue_()
    socket_opened.value.wait_for_event("framereceived")  # the snapshot
    page.wait_for_selector("#idea-list li.idea >> nth=2")
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")

    assert page.locator("#live-root").get_attribute("data-joined") == "true"
    assert boxes(page) == drawn
    shifts = page.evaluate("window.__shifts")
    assert sum(shift["value"] for shift in shifts) <= MAX_CLS, shifts
    context.close()
