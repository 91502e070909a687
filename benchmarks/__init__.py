"""Benchmarks: jobsim's pods per second against a bare SimPy model of the same pods."""
