"""Models of the Audio version control app."""
