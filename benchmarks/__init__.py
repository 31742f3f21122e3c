"""Benchmarks of ceu-compliance (not part of the test suite): ``python benchmarks/run.py``."""
