"""A room's relay that the channel layer forgot (a Redis flush, or channels_redis's
`group_expiry`) joins its group again by itself, so the screens it serves start moving again."""

import asyncio

from ideas import realtime


async def test_a_forgotten_relay_rejoins_its_room(monkeypatch):
    monkeypatch.setattr(realtime, "PRESENCE_INTERVAL", 0.05)
    monkeypatch.setattr(realtime, "PRESENCE_TTL", 3.0)  # membership renewed every second
    relay = await realtime.relay_for(987_654, tallies_visible=True)
    try:
        await relay.layer.group_discard(relay.group, relay.channel)  # the layer forgets it
        # Another process's relay keeps announcing 7 people: this relay hears it again once it
        # has renewed its membership (within a second; Redis under load may take longer).
        for _ in range(100):
            await relay.layer.group_send(relay.group, {"type": "room.presence", "relay": "elsewhere", "count": 7})
            await asyncio.sleep(0.1)
            if relay.online == 7:
                break
        assert relay.online == 7
    finally:
        relay.stop()
        realtime._relays.get(asyncio.get_running_loop(), {}).pop(987_654, None)
