"""The Sync section: status, USB export and import, the network push, the bundle log, identity and enrollment."""

from app.ui.sync.page import SyncPage

__all__ = ["SyncPage"]
