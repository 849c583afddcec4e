"""The link between a room's relay and its sockets (`ideas.realtime.RoomSocket`): the consumer
fulfils it member by member, and the relay calls nothing else, so a rename on either side
breaks here rather than in a room."""

import ast
import inspect

import ideas.realtime
from ideas.consumers import WorkshopConsumer
from ideas.realtime import RoomSocket

MEMBERS = {"send_frame", "is_participant", "still_allowed_all", "close_signed_out"}


def test_room_socket_declares_the_members_the_relay_uses():
    declared = {name for name, value in vars(RoomSocket).items()
                if (inspect.isfunction(value) or isinstance(value, classmethod)) and not name.startswith("_")}
    assert declared == MEMBERS
    # What the relay calls on its sockets (`socket.…` and `s.…` in ideas/realtime.py).
    tree = ast.parse(inspect.getsource(ideas.realtime))
    called = {
        node.attr for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ("socket", "s", "kind")
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


def test_a_relays_sockets_are_revalidated_with_one_read_of_their_participants(workshop, django_assert_num_queries):
    from ideas.models import Participant

    from .factories import ParticipantFactory

    people = ParticipantFactory.create_batch(1_201, workshop=workshop)  # more than one chunk of 500
    sockets = []
    for person in people:
        socket = WorkshopConsumer()
        socket.scope, socket.signed_in_as, socket.joined_id = {}, None, person.pk
        sockets.append(socket)
    observer = WorkshopConsumer()
    observer.scope, observer.signed_in_as, observer.joined_id = {}, None, None
    Participant.objects.filter(pk__in=[people[7].pk, people[1_200].pk]).delete()  # removed meanwhile
    with django_assert_num_queries(3):  # 1,201 people, 500 at a time
        allowed = ideas.realtime._still_allowed([*sockets, observer])
    assert allowed == [n not in (7, 1_200) for n in range(1_201)] + [True]
