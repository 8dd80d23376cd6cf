"""Admin pages of the Album club app (the primary editing UI for its models)."""
