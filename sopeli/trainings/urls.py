from django.urls import path

from sopeli.trainings import views

app_name = "trainings"
urlpatterns = [
    # public
    path("trainings/", views.trainings, name="list"),
    path("trainings/certificates/", views.certificate_lookup, name="certificate_lookup"),
    path("trainings/certificates/<str:code>/", views.certificate_verify, name="certificate_verify"),
    path("trainings/<int:training_id>/", views.training, name="detail"),
    path("trainings/<int:training_id>/materials/<int:material_id>/", views.material_download, name="material"),
    # a person's own
    path("trainings/<int:training_id>/register/", views.register, name="register"),
    path("trainings/<int:training_id>/cancel/", views.cancel, name="cancel"),
    path("trainings/<int:training_id>/feedback/", views.feedback, name="feedback"),
    path("my/trainings/", views.my_trainings, name="my"),
    path("my/trainings/<int:registration_id>/certificate.pdf", views.my_certificate_pdf, name="my_certificate"),
    # staff
    path("manage/trainings/", views.manage_list, name="manage_list"),
    path("manage/trainings/new/", views.manage_create, name="manage_create"),
    path("manage/trainings/participation/", views.manage_participation, name="manage_participation"),
    path("manage/trainings/<int:training_id>/", views.manage_detail, name="manage_detail"),
    path("manage/trainings/<int:training_id>/edit/", views.manage_edit, name="manage_edit"),
    path("manage/trainings/<int:training_id>/status/", views.manage_status, name="manage_status"),
    path("manage/trainings/<int:training_id>/walk-ins/", views.manage_walk_in, name="manage_walk_in"),
    path("manage/trainings/<int:training_id>/attendance/", views.manage_attendance, name="manage_attendance"),
    path("manage/trainings/<int:training_id>/attendance.csv", views.manage_attendance_csv, name="manage_attendance_csv"),
    path("manage/trainings/<int:training_id>/certificates/", views.manage_certificates, name="manage_certificates"),
    path("manage/trainings/<int:training_id>/materials/", views.manage_material_add, name="manage_material_add"),
    path("manage/trainings/<int:training_id>/materials/<int:material_id>/delete/", views.manage_material_delete,
         name="manage_material_delete"),
    path("manage/trainings/<int:training_id>/registrations/<int:registration_id>/cancel/", views.manage_registration_cancel,
         name="manage_registration_cancel"),
    path("manage/trainings/<int:training_id>/registrations/<int:registration_id>/certificate.pdf",
         views.manage_certificate_pdf, name="manage_certificate"),
]
