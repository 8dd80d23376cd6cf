"""Models of the Storyteller app."""
