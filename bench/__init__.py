"""Benchmarks anyone can run (see README.md). Each script prints its figures as one JSON line, last."""
