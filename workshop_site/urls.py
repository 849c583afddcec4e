from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.views.generic import TemplateView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from feedback.api import router as feedback_router
from ideas.api import router as ideas_router
from plans.api import router as plans_router
from prototypes.api import router as prototypes_router
from workshop_site.core.api import api, api_not_found
from workshop_site.core.views import favicon, set_language

api.add_router("", ideas_router)
api.add_router("", prototypes_router)
api.add_router("", plans_router)
api.add_router("", feedback_router)

# An unreachable database answers 503 "temporarily unavailable" instead of a 500.
handler500 = "workshop_site.core.views.server_error"

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/setlang/", set_language, name="set_language"),
    path("robots.txt", TemplateView.as_view(template_name="robots.txt", content_type="text/plain"), name="robots_txt"),
    path("favicon.ico", favicon, name="favicon"),
    path("api/", api.urls),
    path("api/<path:rest>", api_not_found),
    path("", include("ideas.urls")),
    path("", include("prototypes.urls")),
    path("", include("plans.urls")),
    path("", include("feedback.urls")),
]

if settings.DEBUG or settings.SERVE_MEDIA:
    # static() only serves with DEBUG on; the tests' live server runs with it off.
    from django.urls import re_path
    from django.views.static import serve

    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]

# The page tree last: Romanian at /, Russian at /ru/, English at /en/.
urlpatterns += i18n_patterns(path("", include(wagtail_urls)), prefix_default_language=False)
