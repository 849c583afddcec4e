"""A live workshop in three browsers: a projector, two phones, one of which loses its network.

The presenter (a logged-in facilitator) and two participants use separate browser contexts,
so they are three different people with their own sessions and sockets. Participant A reaches
the site through a small TCP proxy run by this test: cutting A's connections there is a real
network loss (the browser and the server both see the socket die; nothing in the page is
stubbed), and while A is "down" the proxy refuses new connections and the browser context is
offline. Reconnection is the page's own: live.js retries with backoff and reconnects at once on
the browser's `online` event, which Chromium fires when the context comes back online.
"""

import re
import socket
import struct
import threading

import pytest
from playwright.sync_api import Expect

from tests.factories import WorkshopPageFactory

CODE = "LIVE23"
TIMEOUT = 10_000  # ms, for every expect below
IDEA_A = "Programare online la BCIS, cu SMS de confirmare"
IDEA_B = "<img src=x onerror=alert(1)> Formular mai scurt"  # must show as text, never as markup
PHONE = {"locale": "ro-MD", "viewport": {"width": 390, "height": 844}}
PROJECTOR = {"locale": "ro-MD", "viewport": {"width": 1280, "height": 800}}

expect = Expect()  # this module's own, so the timeout does not leak into other tests
expect.set_options(timeout=TIMEOUT)


def number(n: int) -> re.Pattern:
    """Text that shows the number n on its own (the labels around it are translated)."""
    return re.compile(rf"(^|\D){n}(\D|$)")


class CuttableProxy:
    """A TCP proxy in front of the live server. `cut()` drops every connection through it and
    refuses new ones, as a lost network would; `restore()` lets connections through again."""

    def __init__(self, target_port: int):
        self.target = ("127.0.0.1", target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.sockets: set[socket.socket] = set()
        self.down = False
        self.stopped = False
        self.thread = threading.Thread(target=self._accept_loop, name="cuttable-proxy", daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept_loop(self) -> None:
        while not self.stopped:
            try:
                client, _address = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            with self.lock:
                refuse = self.down or self.stopped
            if refuse:
                _abort(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _abort(client)
                continue
            with self.lock:
                self.sockets.update((client, upstream))
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            # Either side ended: end the pair (HTTP and WebSockets never rely on half-closing).
            self._drop(src, dst)

    def _drop(self, *socks: socket.socket) -> None:
        with self.lock:
            socks = [s for s in socks if s in self.sockets]
            self.sockets.difference_update(socks)
        for sock in socks:
            _abort(sock)

    def cut(self) -> None:
        with self.lock:
            self.down = True
            socks = list(self.sockets)
        self._drop(*socks)

    def restore(self) -> None:
        with self.lock:
            self.down = False

    def stop(self) -> None:
        self.stopped = True
        self.cut()
        self.thread.join(timeout=5)
        self.listener.close()


def _abort(sock: socket.socket) -> None:
    """Close with a reset, like a connection that died, waking any thread blocked in recv()."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


@pytest.fixture
def proxy(live_server_url):
    proxy = CuttableProxy(int(live_server_url.rsplit(":", 1)[1]))
    yield proxy
    proxy.stop()


@pytest.fixture
def open_page(browser):
    """Opens a page in a new browser context (a different person), watching for dialogs and
    script errors; the contexts close at the end."""
    contexts, dialogs, errors = [], [], []

    def open_page(**options):
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    open_page.dialogs = dialogs
    open_page.errors = errors
    yield open_page
    for context in contexts:
        context.close()


def join(page, base_url: str, name: str, role: int) -> None:
    page.goto(f"{base_url}/w/{CODE}/")
    page.locator("#id_display_name").fill(name)
    page.locator(f"#id_role_{role}").check()
    page.locator("#participant-join-submit").click()
    expect(page.locator("#live-root")).to_have_attribute("data-joined", "true")


def post_idea(page, text: str) -> None:
    page.locator("#idea-text").fill(text)
    page.locator("#idea-submit").click()
    expect(page.locator("#idea-text")).to_have_value("")  # cleared on the server's ack


def idea_row(page, idea_id: str):
    return page.locator(f'#idea-list > li.idea[data-idea-id="{idea_id}"]')


def bar_row(page, idea_id: str):
    return page.locator(f'#chart > section.chart-group > ol.bars > li.bar-row[data-idea-id="{idea_id}"]')


def free_dots(page):
    return page.locator("#dots-left-dots .dot.is-free")


def test_a_live_workshop_with_a_presenter_two_phones_and_a_lost_connection(
    live_server_url, proxy, open_page, tree, facilitator
):
    WorkshopPageFactory(parent=tree["workshop_index"], join_code=CODE, phase="ideas", dots_per_participant=3)

    # The facilitator logs in and opens the projector screen.
    presenter = open_page(**PROJECTOR)
    presenter.goto(f"{live_server_url}/admin/login/")
    presenter.locator("#id_username").fill("facilitator")
    presenter.locator("#id_password").fill("pw")
    presenter.locator("#id_password").press("Enter")
    presenter.wait_for_url(re.compile(r"/admin/$"))
    presenter.goto(f"{live_server_url}/w/{CODE}/present/")
    expect(presenter.locator("#facilitator-controls")).to_be_visible()
    presenter.evaluate("window.__notReloaded = true")  # gone if the page ever reloads

    # Two people join from their phones, A through the proxy that can cut its network.
    phone_a, phone_b = open_page(**PHONE), open_page(**PHONE)
    join(phone_a, proxy.url, "Ana", role=0)
    join(phone_b, live_server_url, "Bogdan", role=1)
    for page in (phone_a, phone_b):
        expect(page.locator("#live-root")).to_have_attribute("data-phase", "ideas")
        expect(free_dots(page)).to_have_count(3)
    # All three sockets are in the room (the presenter counts them).
    expect(presenter.locator("#online-count")).to_have_text(number(3))

    # Each posts an idea; it reaches every screen live.
    post_idea(phone_a, IDEA_A)
    post_idea(phone_b, IDEA_B)
    for page in (phone_a, phone_b):
        expect(page.locator("#idea-list > li.idea")).to_have_count(2)
    expect(presenter.locator("#chart li.bar-row")).to_have_count(2)
    id_a = phone_b.locator("#idea-list > li.idea").filter(has_text="Programare online").get_attribute("data-idea-id")
    id_b = phone_a.locator("#idea-list > li.idea").filter(has_text="Formular mai scurt").get_attribute("data-idea-id")
    assert id_a and id_b and id_a != id_b

    # Participant text is text: the markup shows literally and no element or dialog comes of it.
    for page in (phone_a, phone_b):
        expect(idea_row(page, id_b).locator(".idea-text")).to_have_text(IDEA_B)
        expect(idea_row(page, id_a).locator(".idea-text")).to_have_text(IDEA_A)
        expect(page.locator("#idea-list img")).to_have_count(0)
    expect(bar_row(presenter, id_b).locator(".bar-label")).to_have_text(IDEA_B)
    expect(presenter.locator("#chart img")).to_have_count(0)

    # The facilitator opens voting from the projector screen.
    presenter.locator('#facilitator-controls .phase-btn[data-phase="voting"]').click()
    for page in (presenter, phone_a, phone_b):
        expect(page.locator("#live-root")).to_have_attribute("data-phase", "voting")
    expect(presenter.locator('.phase-btn[data-phase="voting"]')).to_have_attribute("aria-pressed", "true")

    # A puts two dots on B's idea, B one dot on A's idea.
    cast_a = idea_row(phone_a, id_b).locator("button.vote-cast")
    cast_a.click()
    expect(idea_row(phone_a, id_b)).to_have_attribute("data-my-dots", "1")
    cast_a.click()
    expect(idea_row(phone_a, id_b)).to_have_attribute("data-my-dots", "2")
    idea_row(phone_b, id_a).locator("button.vote-cast").click()
    expect(idea_row(phone_b, id_a)).to_have_attribute("data-my-dots", "1")

    # The projector's chart follows without a reload.
    expect(bar_row(presenter, id_b)).to_have_attribute("data-votes", "2")
    expect(bar_row(presenter, id_a)).to_have_attribute("data-votes", "1")
    expect(bar_row(presenter, id_b).locator(".bar-fill")).to_have_attribute("style", re.compile(r"width:\s*100%"))
    expect(bar_row(presenter, id_a).locator(".bar-fill")).to_have_attribute("style", re.compile(r"width:\s*50%"))
    for page in (phone_a, phone_b):
        expect(idea_row(page, id_b)).to_have_attribute("data-votes", "2")
        expect(idea_row(page, id_a)).to_have_attribute("data-votes", "1")
    expect(free_dots(phone_a)).to_have_count(1)
    expect(free_dots(phone_b)).to_have_count(2)

    # A's phone loses its network: its open socket dies and it cannot reconnect for now.
    phone_a.context.set_offline(True)
    proxy.cut()
    expect(presenter.locator("#online-count")).to_have_text(number(2))  # the server saw it go
    expect(phone_a.locator("#live-banner")).to_have_attribute("data-state", "offline")

    # Meanwhile B spends a second dot on A's idea; everyone connected sees it, A does not.
    idea_row(phone_b, id_a).locator("button.vote-cast").click()
    expect(idea_row(phone_b, id_a)).to_have_attribute("data-my-dots", "2")
    expect(bar_row(presenter, id_a)).to_have_attribute("data-votes", "2")
    expect(idea_row(phone_b, id_a)).to_have_attribute("data-votes", "2")
    expect(idea_row(phone_a, id_a)).to_have_attribute("data-votes", "1")

    # The network comes back: A's page reconnects by itself and catches up from the snapshot.
    proxy.restore()
    phone_a.context.set_offline(False)
    expect(phone_a.locator("#live-banner")).to_have_attribute("data-state", "back")
    expect(idea_row(phone_a, id_a)).to_have_attribute("data-votes", "2")
    expect(idea_row(phone_a, id_b)).to_have_attribute("data-votes", "2")
    expect(idea_row(phone_a, id_b)).to_have_attribute("data-my-dots", "2")
    expect(free_dots(phone_a)).to_have_count(1)
    expect(presenter.locator("#online-count")).to_have_text(number(3))

    # The new socket works: A spends its last dot, and then has none to give.
    idea_row(phone_a, id_a).locator("button.vote-cast").click()
    expect(bar_row(presenter, id_a)).to_have_attribute("data-votes", "3")
    expect(idea_row(phone_b, id_a)).to_have_attribute("data-votes", "3")
    expect(free_dots(phone_a)).to_have_count(0)
    expect(idea_row(phone_a, id_a).locator("button.vote-cast")).to_have_attribute("aria-disabled", "true")
    expect(idea_row(phone_a, id_b).locator("button.vote-cast")).to_have_attribute("aria-disabled", "true")
    expect(idea_row(phone_a, id_a)).to_have_attribute("data-my-dots", "1")

    assert presenter.evaluate("window.__notReloaded") is True
    assert open_page.dialogs == []
    assert open_page.errors == []
