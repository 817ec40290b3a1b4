"""Demo tooling (``make demo``, tests, benchmarks): the replay server and the sample sources.

Not part of the shipped package: the portal never serves or imports any of it.
"""
