"""Benchmarks of Mediation Desk (`make bench`, i.e. `python -m benchmarks.run`); not part of the test suite."""
