"""Models of the AMCS app."""
