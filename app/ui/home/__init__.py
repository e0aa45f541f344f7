"""The home page (工作台): what is due today."""

from app.ui.home.page import HomePage

__all__ = ["HomePage"]
