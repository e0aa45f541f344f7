"""The points section of the window (积分): household accounts, ledgers, quick and batch entry, the review
queue, the rules, the points shop and the public notice."""

from app.ui.points.page import PointsPage

__all__ = ["PointsPage"]
