from django.urls import path

from . import views

urlpatterns = [
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/nouvelle/", views.organisation_create, name="organisation_create"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<slug:slug>/modifier/", views.organisation_edit, name="organisation_edit"),
    path("personnes/<int:pk>/", views.person_detail, name="person_detail"),
    path(
        "personnes/<int:pk>/second-facteur/",
        views.person_reset_mfa,
        name="person_reset_mfa",
    ),
    path("invitations/", views.invitation_list, name="invitation_list"),
    path("invitations/<int:pk>/revoquer/", views.invitation_revoke, name="invitation_revoke"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("compte/profil/", views.profile, name="profile"),
    path("compte/mes-donnees.json", views.my_data, name="my_data"),
    path("compte/cloture/", views.close_account, name="close_account"),
    path("journal/", views.audit_log, name="audit_log"),
]
