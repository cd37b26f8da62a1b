from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from sopeli.core import views as core_views
from sopeli.notifications import views as notification_views
from sopeli.portal import public_urls_pages
from sopeli.portal.api import api as open_data_api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # No database, no template: the yardstick the benchmark compares every page with.
    path("healthz", core_views.healthz, name="healthz"),
    # Database, worker heartbeat and outbox: is the deployment doing its work (sopeli/notifications/health.py).
    path("readyz", notification_views.readyz, name="readyz"),
    # Open data, read-only and versioned; the OpenAPI document is /api/v1/openapi.json.
    path("api/v1/", open_data_api.urls),
]

urlpatterns += i18n_patterns(
    path("accounts/phone/", include("sopeli.accounts.phone_urls")),  # residents without e-mail
    path("accounts/", include("allauth.urls")),
    path("", include(public_urls_pages.network)),  # /<lang>/search/ (before the LAG home's <lag_slug>/)
    path("", include("sopeli.notifications.urls")),  # /<lang>/me/notices/ (before the LAG home's <lag_slug>/)
    path("", include("sopeli.core.urls")),
    path("", include("sopeli.portal.standards.urls")),  # open data: /<lang>/[<lag>/]data/360giving.json|.csv, iati.xml
    path("network/monitoring/", include("sopeli.monitoring.network_urls")),
    path("<slug:lag_slug>/", include("sopeli.accounts.urls")),
    path("<slug:lag_slug>/", include("sopeli.membership.urls")),
    path("<slug:lag_slug>/", include("sopeli.governance.urls")),
    path("<slug:lag_slug>/", include("sopeli.strategy.urls")),
    path("<slug:lag_slug>/", include("sopeli.consultation.urls")),
    path("<slug:lag_slug>/", include("sopeli.grants.urls")),
    path("<slug:lag_slug>/", include("sopeli.trainings.urls")),
    path("<slug:lag_slug>/", include("sopeli.projects.urls")),
    path("<slug:lag_slug>/", include("sopeli.monitoring.urls")),
    path("<slug:lag_slug>/", include("sopeli.portal.public_urls_pages")),  # funded projects, money, map
    path("<slug:lag_slug>/", include("sopeli.portal.urls")),
    prefix_default_language=True,
)
