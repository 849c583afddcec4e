"""Every app's WebSocket routes, gathered for asgi.py (each app owns `routing.websocket_urlpatterns`)."""

from ideas.routing import websocket_urlpatterns as ideas_websocket_urlpatterns

websocket_urlpatterns: list = [*ideas_websocket_urlpatterns]
