"""The township center's sections: the villages it receives bundles from, the inbox of escalated cases, and the
points catalogs it publishes to every village."""
