"""`python -m app` starts the program exactly as the `mediation-desk` command does."""

from app.main import main

raise SystemExit(main())
