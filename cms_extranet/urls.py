from django.urls import path

from . import views

app_name = "extranet"
urlpatterns = [
    path("inloggen/", views.LoginView.as_view(), name="login"),
    path("uitloggen/", views.LogoutView.as_view(), name="logout"),
    path("profiel/", views.ProfileView.as_view(), name="profile"),
]
