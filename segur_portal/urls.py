from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import views

# The admin signs in through the portal's own login (and its safeguards).
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Concertation Ségur — administration"
admin.site.site_title = "Concertation Ségur"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("langue/", views.set_language, name="set_language"),
    path("mentions-legales/", views.legal_notice, name="legal_notice"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("donnees-personnelles/", views.privacy, name="privacy"),
    path("plan-du-site/", views.sitemap, name="sitemap"),
    # The catalogue (search, exports, imports, version diffs) before
    # arbitrations' "exigences/<path:reference>", which would take its paths.
    path("", include("catalogue.urls")),
    path("", include("arbitrations.urls")),
    path("", include("concertation.urls")),
    path("", include("calendar_app.urls")),
    path("", include("topics.urls")),
    path("", include("accounts.urls")),
    path("", include("notifications.urls")),
    path("compte/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
