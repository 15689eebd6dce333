"""The assessment fixtures (a scheme, a computed round) for the charts that show its scores."""

from __future__ import annotations

from zhixing.assessment.tests.conftest import _media, computed, setup  # noqa: F401  (pytest fixtures)
