"""ASGI entry point: HTTP to Django, WebSockets through the origin check and the session.

`django_asgi_application()` (Django's handler with one database thread per process, see
workshop_site/core/asgi.py) runs before any routing import so the app registry is ready.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workshop_site.settings.dev")

from django.core.exceptions import ImproperlyConfigured

from workshop_site.core.asgi import django_asgi_application

try:
    django_asgi_app = django_asgi_application()
except ImproperlyConfigured as exc:
    # A bad environment is one clear line in daphne's output, not a traceback.
    raise SystemExit(f"Configuration error: {exc}") from None

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator

from workshop_site.core.checks import report_channel_layer
from workshop_site.core.middleware import SocketDatabaseOutageGuard
from workshop_site.routing import websocket_urlpatterns

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            SocketDatabaseOutageGuard(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
        ),
    }
)

report_channel_layer()
