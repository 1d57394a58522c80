"""Verdict's test suite: a package, so that test modules import shared helpers as
``tests.support.<module>`` and modules of the same name may live in different folders."""
