"""The risk section (风险): quarterly screening and rating of households, level by level."""

from app.ui.risk.page import RiskPage

__all__ = ["RiskPage"]
