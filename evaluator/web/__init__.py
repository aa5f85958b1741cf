"""The officers' workbench (SPEC §10): a FastAPI application over the register."""

from .app import create_app

__all__ = ["create_app"]
