"""Exams (Jutge exams and contests)."""
