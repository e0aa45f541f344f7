"""Sync with the township: identities and keys, the change log, the bundle format, export, import,
receipts and the transports (folder and HTTP). Nothing here imports Qt."""
