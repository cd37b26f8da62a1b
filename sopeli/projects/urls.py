"""Projects addresses under ``/<lang>/<lag>/``: public ``projects/…``, grantee ``my/projects/…``,
staff ``manage/projects/…``."""

from django.urls import path

from sopeli.projects import views

app_name = "projects"

urlpatterns = [
    path("projects/", views.public_list, name="public_list"),
    path("projects/stories/<int:pk>/", views.public_story, name="public_story"),
    path("projects/files/<slug:kind>/<int:file_id>/", views.file_download, name="file"),
    path("projects/contracts/<int:pk>/contract.pdf", views.contract_document, name="contract_pdf"),
    path("my/projects/", views.my_list, name="my_list"),
    path("my/projects/<int:pk>/", views.my_contract, name="my_contract"),
    path("my/projects/<int:pk>/claims/new/", views.my_claim_new, name="my_claim_new"),
    path("my/projects/<int:pk>/reports/<int:report_id>/", views.my_report, name="my_report"),
    path("manage/projects/", views.manage_list, name="manage_list"),
    path("manage/projects/template/", views.manage_template, name="manage_template"),
    path("manage/projects/ledger/", views.manage_ledger, name="manage_ledger"),
    path("manage/projects/ledger.<slug:fmt>", views.manage_ledger_export, name="manage_ledger_export"),
    path("manage/projects/new/<int:application_id>/", views.manage_generate, name="manage_generate"),
    path("manage/projects/<int:pk>/", views.manage_contract, name="manage_contract"),
    path("manage/projects/<int:pk>/check/", views.manage_check, name="manage_check"),
    path("manage/projects/<int:pk>/sign/", views.manage_sign, name="manage_sign"),
    path("manage/projects/<int:pk>/planned/", views.manage_planned, name="manage_planned"),
    path("manage/projects/<int:pk>/amend/", views.manage_amend, name="manage_amend"),
    path("manage/projects/<int:pk>/payments/", views.manage_payment, name="manage_payment"),
    path("manage/projects/<int:pk>/recoveries/", views.manage_recovery, name="manage_recovery"),
    path("manage/projects/<int:pk>/visits/", views.manage_visit, name="manage_visit"),
    path("manage/projects/<int:pk>/settle/", views.manage_settle, name="manage_settle"),
    path("manage/projects/<int:pk>/claims/<int:claim_id>/", views.manage_claim, name="manage_claim"),
    path("manage/projects/<int:pk>/reports/<int:report_id>/", views.manage_report, name="manage_report"),
    path("manage/projects/<int:pk>/story/", views.manage_story, name="manage_story"),
]
