"""Grants addresses under ``/<lang>/<lag>/``. Public: ``calls/…``; applicant: ``my/applications/…``;
staff: ``manage/calls/…`` and ``manage/applications/…``. One section per views module; each
engineer edits only their own section.
"""

from django.urls import path

from sopeli.grants.views import applications, calls, checks

app_name = "grants"

urlpatterns = [
    # --- calls (views/calls.py) ----------------------------------------------------------------
    path("calls/", calls.calls, name="calls"),
    path("calls/<int:call_id>/", calls.call, name="call"),
    path("calls/<int:call_id>/call.pdf", calls.call_pdf, name="call_pdf"),
    path("manage/calls/", calls.manage_calls, name="manage_calls"),
    path("manage/calls/new/", calls.manage_new, name="manage_new"),
    path("manage/calls/<int:call_id>/", calls.manage_call, name="manage_call"),
    path("manage/calls/<int:call_id>/edit/", calls.manage_edit, name="manage_edit"),
    path("manage/calls/<int:call_id>/publish/", calls.manage_publish, name="manage_publish"),
    path("manage/calls/<int:call_id>/amend/", calls.manage_amend, name="manage_amend"),
    path("manage/calls/<int:call_id>/close/", calls.manage_close, name="manage_close"),
    path("manage/calls/<int:call_id>/parts/<slug:kind>/new/", calls.manage_part, name="manage_part_new"),
    path("manage/calls/<int:call_id>/parts/<slug:kind>/<int:pk>/", calls.manage_part, name="manage_part"),
    path("manage/calls/<int:call_id>/parts/<slug:kind>/<int:pk>/delete/", calls.manage_part_delete, name="manage_part_delete"),
    # --- applications (views/applications.py) --------------------------------------------------
    path("calls/<int:call_id>/apply/", applications.start, name="apply"),
    path("my/applications/", applications.my_applications, name="my_applications"),
    path("my/applications/<int:pk>/", applications.my_application, name="my_application"),
    path("my/applications/<int:pk>/step/<slug:step>/", applications.step, name="step"),
    path("my/applications/<int:pk>/budget-check/", applications.budget_check, name="budget_check"),
    path("my/applications/<int:pk>/submit/", applications.submit, name="submit"),
    path("my/applications/<int:pk>/withdraw/", applications.withdraw, name="withdraw"),
    path("my/applications/<int:pk>/receipt.pdf", applications.receipt, name="receipt"),
    path("my/applications/<int:pk>/files/<int:attachment_id>/delete/", applications.attachment_delete, name="attachment_delete"),
    path("files/<int:attachment_id>/", applications.attachment, name="attachment"),
    # --- checks (views/checks.py) --------------------------------------------------------------
    path("calls/<int:call_id>/received/", checks.received, name="received"),
    path("manage/calls/<int:call_id>/applications/", checks.manage_applications, name="manage_applications"),
    path("manage/calls/<int:call_id>/received/publish/", checks.manage_publish_received, name="manage_publish_received"),
    path("manage/calls/<int:call_id>/paper/", checks.manage_paper, name="manage_paper"),
    path("manage/applications/<int:pk>/", checks.manage_application, name="manage_application"),
    path("manage/applications/<int:pk>/checklist/", checks.manage_checklist, name="manage_checklist"),
    path("manage/applications/<int:pk>/fix/", checks.manage_fix, name="manage_fix"),
    path("manage/applications/<int:pk>/decide/", checks.manage_decide, name="manage_decide"),
]

# --- evaluation (views/evaluation.py, owned by the evaluation/selection engineer) -----------------
from sopeli.grants.views import appeals, evaluation, selection  # noqa: E402

urlpatterns += [
    path("my/evaluations/", evaluation.queue, name="evaluations"),
    path("my/evaluations/<int:pk>/", evaluation.assignment, name="evaluation"),
    path("manage/calls/<int:call_id>/evaluation/", evaluation.progress, name="evaluation_progress"),
]
# --- selection (views/selection.py, same owner) ------------------------------------------------
urlpatterns += [
    path("calls/<int:call_id>/results/", selection.results, name="results"),
    path("calls/<int:call_id>/results/<int:measure_id>/reserve/", selection.results_reserve, name="results_reserve"),
    path("manage/calls/<int:call_id>/ranking/", selection.ranking, name="ranking"),
    path("board/calls/<int:call_id>/selection/", selection.board, name="board_selection"),
    path("my/applications/<int:pk>/scores/", selection.my_scores, name="my_scores"),
]
# --- appeals (views/appeals.py, same owner) ----------------------------------------------------
urlpatterns += [
    path("my/applications/<int:pk>/appeal/", appeals.appeal, name="appeal"),
    path("manage/calls/<int:call_id>/appeals/", appeals.manage_list, name="manage_appeals"),
    path("manage/appeals/<int:pk>/", appeals.manage_detail, name="manage_appeal"),
]
