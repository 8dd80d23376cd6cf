"""The ListenBrainz-compatible API (mounted at /1/)."""
