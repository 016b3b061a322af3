from django.urls import path

from . import provisioning, views

app_name = "extranet_sso"
urlpatterns = [
    path("inloggen/extern/", views.LoginView.as_view(), name="login"),
    path("inloggen/extern/terug/", views.CallbackView.as_view(), name="callback"),
    path("inloggen/extern/afmelden/", views.BackchannelLogoutView.as_view(), name="backchannel_logout"),
    path("scim/v2/Users", provisioning.UsersView.as_view(), name="scim_users"),
    path("scim/v2/Users/<int:pk>", provisioning.UserView.as_view(), name="scim_user"),
]
