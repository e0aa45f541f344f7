"""The roster section (网格与住户): grid tree, households, members, import and export."""

from app.ui.roster.page import RosterPage

__all__ = ["RosterPage"]
