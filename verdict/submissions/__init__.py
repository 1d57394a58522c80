"""Submissions and their per-test results."""
