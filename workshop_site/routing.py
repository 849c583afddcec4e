"""Every app's WebSocket routes, gathered for asgi.py (each app owns `routing.websocket_urlpatterns`)."""

websocket_urlpatterns: list = []
