"""Benchmarks of Hive Review: one script per question, each runnable as ``python -m bench.<name> [--quick]``."""
