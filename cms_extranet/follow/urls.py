from django.urls import path

from . import views

urlpatterns = [
    path("volgen/<int:page_id>/", views.FollowToggleView.as_view(), name="extranet_follow_toggle"),
    path("profiel/mailing/", views.MailingView.as_view(), name="extranet_follow_mailing"),
    path(
        "profiel/mailing/afmelden/<str:token>/",
        views.UnsubscribeView.as_view(),
        name="extranet_follow_unsubscribe",
    ),
]
