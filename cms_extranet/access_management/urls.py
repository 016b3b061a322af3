from django.urls import path

from . import views

app_name = "extranet_access"
urlpatterns = [
    path("toegangsbeheer/", views.IndexView.as_view(), name="index"),
    path("toegangsbeheer/gebruikers/nieuw/", views.UserCreateView.as_view(), name="user_create"),
    path("toegangsbeheer/gebruikers/<int:pk>/", views.UserView.as_view(), name="user"),
    path(
        "toegangsbeheer/gebruikers/<int:pk>/administrator/",
        views.AdministratorView.as_view(),
        name="administrator",
    ),
    path(
        "toegangsbeheer/gebruikers/<int:pk>/mail/",
        views.AccessMailView.as_view(),
        name="mail",
    ),
    path(
        "toegangsbeheer/uitbetalingsinstelling/",
        views.OnboardingView.as_view(),
        name="onboarding",
    ),
    path(
        "toegangsbeheer/formulieren/<int:pk>/",
        views.TermsFormFileView.as_view(),
        name="terms_form_file",
    ),
    path(
        "wachtwoord-kiezen/<uidb64>/<token>/",
        views.SetPasswordView.as_view(),
        name="set_password",
    ),
]
