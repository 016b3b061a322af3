"""The extranet's own API endpoints, for a host to mount beside Wagtail's API
(``path("api/v2/extranet/", include("cms_extranet.api_urls"))``)."""

from django.urls import path, re_path

from . import api
from .feedback import api as feedback_api
from .follow import api as follow_api

app_name = "extranet_api"
urlpatterns = [
    path("me/", api.MeView.as_view(), name="me"),
    path("login/", api.LoginAPIView.as_view(), name="login"),
    path("logout/", api.LogoutAPIView.as_view(), name="logout"),
    path("following/", follow_api.FollowedPagesView.as_view(), name="following"),
    path("following/<int:page_id>/", follow_api.FollowView.as_view(), name="follow"),
    path("mailing/", follow_api.MailingAPIView.as_view(), name="mailing"),
    path("feedback/", feedback_api.FeedbackAPIView.as_view(), name="feedback"),
    re_path(r"^.*/$", api.api_not_found, {"error_key": "detail"}),
]
