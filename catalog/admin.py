"""Admin pages of the Catalog app (the primary editing UI for its models)."""
