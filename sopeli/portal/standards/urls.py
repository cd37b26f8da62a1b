"""Open-data files (included once, inside ``i18n_patterns``: ``/<lang>/…``; see the package docstring)."""

from django.urls import path

from sopeli.portal.standards import views

app_name = "standards"
urlpatterns = [
    path("data/360giving.json", views.network_360giving_json, name="network_360giving_json"),
    path("data/360giving.csv", views.network_360giving_csv, name="network_360giving_csv"),
    path("data/iati.xml", views.network_iati, name="network_iati"),
    path("<slug:lag_slug>/data/360giving.json", views.lag_360giving_json, name="lag_360giving_json"),
    path("<slug:lag_slug>/data/360giving.csv", views.lag_360giving_csv, name="lag_360giving_csv"),
    path("<slug:lag_slug>/data/iati.xml", views.lag_iati, name="lag_iati"),
]
