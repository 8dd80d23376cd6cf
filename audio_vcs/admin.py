"""Admin pages of the Audio version control app (the primary editing UI for its models)."""
