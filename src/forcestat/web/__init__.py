"""The web dashboard and the Police and Crime Plan tracker (``forcestat serve``).

One module per page under ``pages/``; ``measure_view`` builds the scorecard and measure
pages from the measures engine. May import: the shared modules, ``forcestat.measures``,
``forcestat.spc``, ``forcestat.store`` and ``forcestat.sources``. It holds no SQL: each
fact a page shows comes from a function of ``forcestat.store`` or the engine.
"""

from forcestat.web.app import create_app
from forcestat.web.settings import WebSettings

__all__ = ["WebSettings", "create_app"]
