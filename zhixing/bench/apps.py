from __future__ import annotations

from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "zhixing.bench"
    label = "bench"
    verbose_name = "性能基准"
