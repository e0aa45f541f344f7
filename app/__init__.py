"""Mediation Desk (调解工作台): a desk for a village people's mediation room and its township center."""

__version__ = "0.1.0"
