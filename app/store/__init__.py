"""The database: engine and pragmas, migrations, backups."""
