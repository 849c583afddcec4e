"""A room's relay that the channel layer forgot (a Redis flush, or channels_redis's
`group_expiry`) joins its group again by itself, so the screens it serves start moving again."""

import asyncio

from ideas import realtime


async def test_a_forgotten_relay_rejoins_its_room(monkeypatch):
    monkeypatch.setattr(realtime, "PRESENCE_INTERVAL", 0.05)
    monkeypatch.setattr(realtime, "PRESENCE_TTL", 0.6)  # membership renewed every 0.2 s
    relay = await realtime.relay_for(987_654, tallies_visible=True)
    try:
        await relay.layer.group_discard(relay.group, relay.channel)  # the layer forgets it
        await asyncio.sleep(0.5)
        # Another process's relay announces 7 people: this relay hears it again.
        await relay.layer.group_send(relay.group, {"type": "room.presence", "relay": "elsewhere", "count": 7})
        for _ in range(50):
            if relay.online == 7:
                break
            await asyncio.sleep(0.01)
        assert relay.online == 7
    finally:
        relay.stop()
        realtime._relays.get(asyncio.get_running_loop(), {}).pop(987_654, None)
