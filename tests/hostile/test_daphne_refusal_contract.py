"""What `DaphneSocketWire.close_on_refusal()` and `refusal()` rely on in the installed autobahn
(none of it is daphne's public API): the per-connection `failByDrop` option and the state a
failed connection leaves. The behaviour itself, over a real socket, is in
test_hostile_frames.py; these fail first, and name what changed, after an upgrade."""

import inspect
from importlib.metadata import version

INSTALLED = ", ".join(f"{name} {version(name)}" for name in ("daphne", "autobahn"))


def broken(what: str) -> str:
    return (f"{what}. ideas/daphne_transport.py (close_on_refusal, refusal) relies on it (installed: "
            f"{INSTALLED}): a frame over 1 MiB would drop the connection again without a close frame or a log line.")


def test_failing_a_connection_honours_the_protocols_own_fail_by_drop():
    from autobahn.websocket.protocol import WebSocketProtocol, WebSocketServerProtocol
    from daphne.ws_protocol import WebSocketProtocol as DaphneProtocol

    assert issubclass(DaphneProtocol, WebSocketServerProtocol), broken("daphne's protocol is not autobahn's")
    assert "failByDrop" in WebSocketServerProtocol.CONFIG_ATTRS, broken("failByDrop is no server option")
    source = inspect.getsource(WebSocketProtocol._fail_connection)
    assert "self.failByDrop" in source and "sendCloseFrame" in source, broken(
        "WebSocketProtocol._fail_connection no longer reads self.failByDrop or sends a close frame")
    too_big = inspect.getsource(WebSocketProtocol._max_message_size_exceeded)
    assert "CLOSE_STATUS_CODE_MESSAGE_TOO_BIG" in too_big and WebSocketProtocol.CLOSE_STATUS_CODE_MESSAGE_TOO_BIG == 1009, \
        broken("a message over the limit no longer fails the connection with 1009")


def test_a_failed_connection_says_its_close_code_and_reason():
    from autobahn.websocket.protocol import WebSocketProtocol

    made = inspect.getsource(WebSocketProtocol._connectionMade)
    for name in ("failedByMe", "localCloseCode", "localCloseReason"):
        assert f"self.{name} = " in made, broken(f"autobahn's protocol no longer keeps `{name}`")
    close = inspect.getsource(WebSocketProtocol.sendCloseFrame)
    assert "self.localCloseCode = code" in close and "self.localCloseReason = reasonUtf8" in close, broken(
        "sendCloseFrame no longer records the code and reason it sent")
