"""Models of the Album club app."""
