"""Pages of the 晾晒 board, mounted under /ledger/ (their paths did not change when they left the ledger app)."""

from __future__ import annotations

from django.urls import path

from zhixing.board import views

app_name = "board"

urlpatterns = [
    path("board/", views.board, name="board"),
    path("board/export.xlsx", views.board_export, name="board_export"),
    path("board/print/", views.board_print, name="board_print"),
    path("board/publish/", views.board_publish, name="board_publish"),
]
