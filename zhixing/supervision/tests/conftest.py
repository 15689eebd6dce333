from __future__ import annotations

# The ledger's fixtures (a ledger with tasks around today, the media folder): this app's records hang on them.
from zhixing.ledger.tests.conftest import _media, book, desk  # noqa: F401
