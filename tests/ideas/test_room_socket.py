"""The link between a room's relay and its sockets (`ideas.realtime.RoomSocket`): the consumer
fulfils it member by member, and the relay calls nothing else, so a rename on either side
breaks here rather than in a room."""

import ast
import inspect

import ideas.realtime
from ideas.consumers import WorkshopConsumer
from ideas.realtime import RoomSocket

MEMBERS = {"send_frame", "is_participant", "still_allowed", "close_signed_out"}


def test_room_socket_declares_the_members_the_relay_uses():
    declared = {name for name, value in vars(RoomSocket).items() if inspect.isfunction(value) and not name.startswith("_")}
    assert declared == MEMBERS
    # What the relay calls on its sockets (`socket.…` and `s.…` in ideas/realtime.py).
    tree = ast.parse(inspect.getsource(ideas.realtime))
    called = {
        node.attr for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ("socket", "s")
    }
    assert called, "the relay's sockets are no longer named `socket` or `s`: update this test"
    assert called <= declared, f"the relay calls {sorted(called - declared)} on a socket: add them to RoomSocket"


def test_the_consumer_fulfils_room_socket():
    assert RoomSocket in WorkshopConsumer.__mro__  # declared, not only shaped alike
    missing = sorted(WorkshopConsumer.__abstractmethods__)
    assert not missing, f"WorkshopConsumer does not define {missing} of RoomSocket"
    for name in MEMBERS:
        ours, contract = getattr(WorkshopConsumer, name), getattr(RoomSocket, name)
        assert ours is not contract, name
        assert inspect.iscoroutinefunction(ours) == inspect.iscoroutinefunction(contract), name
        assert list(inspect.signature(ours).parameters) == list(inspect.signature(contract).parameters), name
    WorkshopConsumer()  # nothing left abstract: Channels can build one per connection
