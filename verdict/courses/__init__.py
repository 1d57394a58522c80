"""Courses, their members, problem lists and tasks (INGInious tasks / Jutge course lists)."""
