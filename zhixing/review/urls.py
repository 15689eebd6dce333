"""Pages of 回头看, mounted under /ledger/ (their paths did not change when they left the ledger app)."""

from __future__ import annotations

from django.urls import path

from zhixing.review import views

app_name = "review"

urlpatterns = [
    path("reviews/", views.review_list, name="review_list"),
    path("reviews/new/", views.review_new, name="review_new"),
    path("reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("reviews/<int:pk>/tasks/<int:task_pk>/", views.finding_record, name="finding_record"),
    path("reviews/<int:pk>/close/", views.review_close, name="review_close"),
]
