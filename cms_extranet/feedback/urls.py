from django.urls import path

from . import views

app_name = "extranet_feedback"
urlpatterns = [
    path("feedback/", views.FeedbackView.as_view(), name="form"),
    path("feedback/bedankt/", views.ThanksView.as_view(), name="thanks"),
]
