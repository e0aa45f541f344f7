"""The cases section (矛盾纠纷): the case list, registering a case, and the page of one case."""

from app.ui.cases.page import CasesPage

__all__ = ["CasesPage"]
