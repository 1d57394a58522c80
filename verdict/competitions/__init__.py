"""Game competitions (Jutge)."""
