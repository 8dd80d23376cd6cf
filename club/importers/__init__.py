"""Listen importers: ListenBrainz exports, Last.fm scrobble CSVs and Spotify extended streaming history."""
