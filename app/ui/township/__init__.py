"""The township center's sections: the villages it receives bundles from, and the inbox of escalated cases."""
