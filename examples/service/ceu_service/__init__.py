"""A reference HTTP service for ceu-compliance (FastAPI); see ../README.md.

``app`` is made from the ``CEU_SERVICE_*`` environment when this package is
imported, so ``uvicorn ceu_service:app`` serves it; ``create_app(Settings(...))``
makes one with other settings.
"""

from .service import create_app
from .settings import Settings

app = create_app()

__all__ = ["Settings", "app", "create_app"]
