"""Use cases. Each takes a session and the acting user, checks the role, validates, audits, and raises
typed errors (app.errors) with translated messages. The GUI and the CLI are thin front-ends over these."""
