from django.urls import path

from . import views

app_name = "extranet_follow"
urlpatterns = [
    path("volgen/<int:page_id>/", views.FollowToggleView.as_view(), name="toggle"),
    path("profiel/mailing/", views.MailingView.as_view(), name="mailing"),
    path(
        "profiel/mailing/afmelden/<str:token>/",
        views.UnsubscribeView.as_view(),
        name="unsubscribe",
    ),
]
