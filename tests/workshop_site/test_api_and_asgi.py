"""The JSON API is mounted, and the ASGI application serves HTTP and guards WebSockets."""

import pytest
from channels.testing import HttpCommunicator, WebsocketCommunicator

from workshop_site.asgi import application


@pytest.mark.django_db
def test_health_reports_the_database_and_layer(client):
    response = client.get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] in {"sqlite", "postgresql"}


def test_openapi_schema_is_published(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Atelier API"


@pytest.mark.django_db
def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db(transaction=True)
async def test_asgi_application_serves_the_home_page_over_http(tree):
    communicator = HttpCommunicator(application, "GET", "/", headers=[(b"host", b"localhost")])
    response = await communicator.get_response()
    assert response["status"] == 200
    assert "BCIS Rezina" in response["body"].decode()


@pytest.mark.django_db(transaction=True)
async def test_websocket_from_a_foreign_origin_is_refused():
    communicator = WebsocketCommunicator(
        application, "/ws/workshops/DEMO29/", headers=[(b"origin", b"https://evil.example"), (b"host", b"localhost")]
    )
    connected, _ = await communicator.connect()
    assert connected is False
    await communicator.disconnect()
