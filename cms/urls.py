from django.conf import settings
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from wagtail.documents import urls as wagtaildocs_urls

from cms_extranet.api import api_not_found

from .api import api_router
from .health import HealthView

handler500 = "cms.views.server_error"

urlpatterns = [
    path("health/", HealthView.as_view(), name="health"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v2/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/v2/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    path("api/v2/", api_router.urls),
    path("api/v2/extranet/", include("cms_extranet.api_urls")),
    path("api/v2/search/", include("search.api_urls")),
    re_path(r"^api/v2/.*/$", api_not_found),  # the URLs without their slash redirect
    path("", include("cms_extranet.urls")),
    path("", include("cms_extranet.sso.urls")),
    path("", include("cms_extranet.follow.urls")),
    path("", include("cms_extranet.access_management.urls")),
    path("", include("cms_extranet.feedback.urls")),
    path("", include("search.urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

urlpatterns += [path("", include(wagtail_urls))]
