"""Benchmarks: each prints figures and ratios to a baseline measured in the same run. Never asserted in tests."""
