"""Benchmarks: `python -m bench` (or `make bench`) prints each figure beside its baseline."""
