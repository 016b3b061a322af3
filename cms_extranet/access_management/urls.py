from django.urls import path

from . import views

urlpatterns = [
    path("toegangsbeheer/", views.IndexView.as_view(), name="extranet_access_index"),
    path("toegangsbeheer/gebruikers/nieuw/", views.UserCreateView.as_view(), name="extranet_access_user_create"),
    path("toegangsbeheer/gebruikers/<int:pk>/", views.UserView.as_view(), name="extranet_access_user"),
    path(
        "toegangsbeheer/gebruikers/<int:pk>/administrator/",
        views.AdministratorView.as_view(),
        name="extranet_access_administrator",
    ),
    path(
        "toegangsbeheer/gebruikers/<int:pk>/mail/",
        views.AccessMailView.as_view(),
        name="extranet_access_mail",
    ),
    path(
        "toegangsbeheer/uitbetalingsinstelling/",
        views.OnboardingView.as_view(),
        name="extranet_access_onboarding",
    ),
    path(
        "toegangsbeheer/formulieren/<int:pk>/",
        views.TermsFormFileView.as_view(),
        name="extranet_access_terms_form_file",
    ),
    path(
        "wachtwoord-kiezen/<uidb64>/<token>/",
        views.SetPasswordView.as_view(),
        name="extranet_access_set_password",
    ),
]
