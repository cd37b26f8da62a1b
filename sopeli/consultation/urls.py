from django.urls import path

from sopeli.consultation import views

app_name = "consultation"
C = "consultation/<int:pk>/"
M = "manage/consultation/<int:pk>/"
urlpatterns = [
    path("consultation/", views.consultation_list, name="list"),
    path(C, views.consultation_detail, name="detail"),
    path(C + "ideas/", views.ideas, name="ideas"),
    path(C + "ideas/new/", views.idea_new, name="idea_new"),
    path(C + "ideas/<int:idea_pk>/", views.idea_detail, name="idea"),
    path(C + "ideas/<int:idea_pk>/support/", views.idea_support, name="idea_support"),
    path(C + "draft/", views.comments, name="comments"),
    path(C + "surveys/<int:survey_pk>/", views.survey, name="survey"),
    path(C + "surveys/<int:survey_pk>/results/", views.survey_results, name="survey_results"),
    path(C + "meetings/", views.meetings, name="meetings"),
    path(C + "report/", views.report, name="report"),
    path("manage/consultation/", views.manage_list, name="manage_list"),
    path(M, views.manage, name="manage"),
    path(M + "phases/new/", views.phase_new, name="phase_new"),
    path(M + "phases/<int:phase_pk>/", views.phase_edit, name="phase_edit"),
    path(M + "inputs/", views.manage_inputs, name="manage_inputs"),
    path(M + "inputs.<str:fmt>", views.inputs_export, name="inputs_export"),
    path(M + "ideas/new/", views.manage_idea_new, name="manage_idea_new"),
    path(M + "ideas/<int:idea_pk>/", views.manage_idea, name="manage_idea"),
    path(M + "ideas/<int:idea_pk>/<slug:action>/", views.manage_idea_action, name="manage_idea_action"),
    path(M + "comments/new/", views.manage_comment_new, name="manage_comment_new"),
    path(M + "comments/<int:comment_pk>/", views.manage_comment, name="manage_comment"),
    path(M + "comments/<int:comment_pk>/<slug:action>/", views.manage_comment, name="manage_comment_action"),
    path(M + "meetings/", views.manage_meetings, name="manage_meetings"),
    path(M + "surveys/", views.manage_surveys, name="manage_surveys"),
    path(M + "surveys/<int:survey_pk>/", views.manage_survey, name="manage_survey"),
    path(M + "surveys/<int:survey_pk>/paper/", views.survey_paper, name="survey_paper"),
    path(M + "surveys/<int:survey_pk>/export.<str:fmt>", views.survey_export, name="survey_export"),
]
