"""A room's relay that is stopped ends every task it started, whatever each was doing at that
moment: a task that outlived its relay would keep renewing a group nobody reads, and a test's
event loop would wait for it forever when it closes (seen once in CI on Redis). Python 3.11's
`asyncio.wait_for` swallows a cancellation that arrives just as the awaited call answers."""

import asyncio

from ideas import realtime


class AnsweringLayer:
    """A channel layer whose every call answers at once (the moment the race needs)."""

    async def new_channel(self, prefix="specific."):
        return prefix + "test!1"

    async def group_add(self, group, channel):
        return None

    async def group_discard(self, group, channel):
        return None

    async def group_send(self, group, message):
        return None

    async def receive(self, channel):
        await asyncio.Event().wait()  # nothing ever arrives


async def test_a_relay_stopped_while_its_layer_answers_ends_every_task(monkeypatch):
    monkeypatch.setattr(realtime, "PRESENCE_INTERVAL", 0)  # the presence loop renews at once
    for steps in range(12):  # stop at each point of the first renewal in turn
        relay = realtime.RoomRelay(987_655, tallies_visible=True)
        relay.layer = AnsweringLayer()
        await relay.start()
        for _ in range(steps):
            await asyncio.sleep(0)
        relay.stop()
        _, still_running = await asyncio.wait(relay.tasks, timeout=2)
        assert not still_running, f"stopped after {steps} steps, {len(still_running)} task(s) still run"
