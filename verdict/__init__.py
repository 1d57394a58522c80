"""Verdict: an online judge and autograder."""
