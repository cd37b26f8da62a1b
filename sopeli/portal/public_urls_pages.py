"""Public portal pages. ``urlpatterns`` (namespace ``public``) go under ``<lag_slug>/``;
``network`` (namespace ``public_network``) goes at the top level, before the LAG home's catch-all."""

from django.urls import path

from sopeli.portal import public_views as views

app_name = "public"
urlpatterns = [
    path("projects/funded/", views.projects, name="projects"),
    path("money/", views.money, name="money"),
    path("map/", views.project_map, name="map"),
]

network = ([path("search/", views.search, name="search")], "public_network")
