"""Grants addresses under ``/<lang>/<lag>/``. Public: ``calls/…``; applicant: ``my/applications/…``;
staff: ``manage/calls/…``. One section per views module; each engineer edits only their section.
"""

from django.urls import path

from sopeli.grants.views import applications, calls, checks  # noqa: F401  (filled in step 2)

app_name = "grants"

urlpatterns = [
    # --- calls (views/calls.py) ----------------------------------------------------------------
    # --- applications (views/applications.py) --------------------------------------------------
    # --- checks (views/checks.py) --------------------------------------------------------------
]

# --- PLACEHOLDER: evaluation (views/evaluation.py, owned by the evaluation/selection engineer) ---
# from sopeli.grants.views import evaluation
# urlpatterns += [path("manage/calls/<int:call_id>/evaluation/", evaluation.progress, name="evaluation"), ...]
# --- PLACEHOLDER: selection (views/selection.py, same owner) ----------------------------------
# from sopeli.grants.views import selection
# urlpatterns += [path("calls/<int:call_id>/results/", selection.results, name="results"), ...]
# --- PLACEHOLDER: appeals (views/appeals.py, same owner) ---------------------------------------
# from sopeli.grants.views import appeals
# urlpatterns += [path("my/applications/<int:pk>/appeal/", appeals.file, name="appeal"), ...]
_ = path
