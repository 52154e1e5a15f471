"""Eval suites and their runner."""
