"""Benchmarks: scripts printing ratios against a baseline measured in the same run."""
