"""The site's search as an API endpoint, for a host to mount beside Wagtail's API
(``path("api/v2/search/", include("search.api_urls"))``)."""

from django.urls import path

from . import api

app_name = "extranet_search_api"
urlpatterns = [path("", api.SearchAPIView.as_view(), name="search")]
