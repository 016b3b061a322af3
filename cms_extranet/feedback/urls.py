from django.urls import path

from . import views

urlpatterns = [
    path("feedback/", views.FeedbackView.as_view(), name="extranet_feedback"),
    path("feedback/bedankt/", views.ThanksView.as_view(), name="extranet_feedback_thanks"),
]
