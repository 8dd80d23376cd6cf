"""Admin pages of the AMCS app (the primary editing UI for its models)."""
