"""A request through Atelier's ASGI handler enters the database thread once for its whole
middleware chain and view (workshop_site/core/asgi.py). Django built for ASGI would hop between
the event loop and that thread for each sync middleware method; this test fails if a Django
upgrade (or a new async-only middleware) brings those hops back."""

import pytest
from asgiref import sync
from channels.testing import HttpCommunicator

from workshop_site import asgi


@pytest.fixture
def hops(monkeypatch):
    """Every crossing between the event loop and a thread during the test, by direction."""
    counted = {"into a thread": 0, "back to the loop": 0}
    sync_to_async_call, async_to_sync_call = sync.SyncToAsync.__call__, sync.AsyncToSync.__call__

    async def into_thread(self, *args, **kwargs):
        counted["into a thread"] += 1
        return await sync_to_async_call(self, *args, **kwargs)

    def back_to_loop(self, *args, **kwargs):
        counted["back to the loop"] += 1
        return async_to_sync_call(self, *args, **kwargs)

    monkeypatch.setattr(sync.SyncToAsync, "__call__", into_thread)
    monkeypatch.setattr(sync.AsyncToSync, "__call__", back_to_loop)
    return counted


async def _get(path: str) -> dict:
    communicator = HttpCommunicator(asgi.application, "GET", path, headers=[(b"host", b"localhost")])
    response = await communicator.get_response(timeout=30)
    await communicator.wait(timeout=30)  # the response closed too
    return response


@pytest.mark.django_db(transaction=True)
async def test_a_page_request_enters_the_database_thread_once_for_middleware_and_view(tree, hops):
    response = await _get("/")
    assert response["status"] == 200
    assert "BCIS Rezina" in response["body"].decode()
    # The chain with its view, then Django's request_started signal and the response's close.
    assert hops == {"into a thread": 3, "back to the loop": 0}


@pytest.mark.django_db(transaction=True)
async def test_an_api_call_enters_the_database_thread_once(hops):
    response = await _get("/api/health")
    assert response["status"] == 200
    assert hops == {"into a thread": 3, "back to the loop": 0}
