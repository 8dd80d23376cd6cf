"""Admin pages of the Storyteller app (the primary editing UI for its models)."""
