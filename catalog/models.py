"""Models of the Catalog app."""
