"""Helpers shared by the test modules, imported as ``tests.support.<module>``.

Plain functions, constants and context managers live here; what a test sets up and tears down
is a fixture in the conftest.py of the folder that uses it (tests/conftest.py for several).
"""
