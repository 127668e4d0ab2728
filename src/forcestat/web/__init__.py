"""The web dashboard and the Police and Crime Plan tracker (``forcestat serve``)."""

from forcestat.web.app import create_app
from forcestat.web.settings import WebSettings

__all__ = ["WebSettings", "create_app"]
