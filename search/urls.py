from django.urls import path

from .views import SearchView

app_name = "extranet_search"
urlpatterns = [path("zoeken/", SearchView.as_view(), name="search")]
