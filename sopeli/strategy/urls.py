from django.urls import path

from sopeli.strategy import views

app_name = "strategy"
urlpatterns = [
    path("strategy/", views.strategy, name="strategy"),
    path("strategy/versions/", views.versions, name="versions"),
    path("strategy/versions/<int:number>/", views.version, name="version"),
    path("strategy/versions/<int:number>.pdf", views.version_pdf, name="version_pdf"),
    path("strategy/compare/", views.compare, name="compare"),
    path("manage/strategy/", views.manage, name="manage"),
    path("manage/strategy/create/", views.manage_create, name="manage_create"),
    path("manage/strategy/amend/", views.manage_amend, name="manage_amend"),
    path("manage/strategy/versions/<int:number>/", views.manage_version, name="manage_version"),
    path("manage/strategy/versions/<int:number>/text/<slug:section>/", views.edit_text, name="edit_text"),
    path("manage/strategy/versions/<int:number>/submit/", views.submit, name="submit"),
    path("manage/strategy/versions/<int:number>/reopen/", views.reopen, name="reopen"),
    path("manage/strategy/versions/<int:number>/approve/", views.approve, name="approve"),
    path("manage/strategy/versions/<int:number>/<slug:kind>/new/", views.part_edit, name="part_new"),
    path("manage/strategy/versions/<int:number>/<slug:kind>/<int:pk>/", views.part_edit, name="part_edit"),
    path("manage/strategy/versions/<int:number>/<slug:kind>/<int:pk>/delete/", views.part_delete, name="part_delete"),
]
