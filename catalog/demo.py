"""Demo data of the catalog: albums with tracks and features, and samples with real synthesised audio."""

import uuid

from django.core.files.base import ContentFile

DEMO_NAMESPACE = uuid.UUID("6f1c1f0e-3a59-4f0b-9d55-2f0c7d1b8a10")

ALBUMS = [
    ("Low Tide Signals", "The Harbour Lights", 2019, ["dream-pop", "shoegaze"]),
    ("Copper Wire Hymns", "Mara Ellison", 2021, ["folk", "americana"]),
    ("Night Bus Geometry", "Static Parade", 2017, ["electronic", "ambient"]),
    ("Half Light Motel", "The Harbour Lights", 2023, ["dream-pop"]),
    ("Brass Weather", "Okonkwo Brass Ensemble", 2015, ["jazz", "afrobeat"]),
    ("Paper Satellites", "Juno Park", 2020, ["indie-rock"]),
]
NOTE_NAMES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]


def _mbid(*parts) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, "/".join(str(part) for part in parts))


def _samples():
    from tests.catalog import audio

    for octave_index, base in enumerate([110.0, 220.0, 440.0]):
        for step in range(0, 12, 2):
            frequency = base * 2 ** (step / 12)
            note = NOTE_NAMES[(step + 9) % 12]
            yield (
                f"Tone {note}{octave_index + 2}",
                "synth",
                ["tone", "sustained", "bright" if base >= 440 else "warm"],
                note,
                audio.tone(frequency),
            )
    for index, root in enumerate([130.81, 146.83, 164.81, 174.61]):
        name = NOTE_NAMES[[0, 2, 4, 5][index]]
        yield f"Pad {name} major", "keys", ["pad", "chord", "warm"], name, audio.chord([root, root * 1.26, root * 1.5])
    for index, frequency in enumerate([55.0, 65.0, 80.0]):
        yield f"Kick {index + 1}", "drums", ["kick", "one-shot", "punchy"], "", audio.hit(frequency, noisiness=0.2)
    for index in range(3):
        yield f"Snare {index + 1}", "drums", ["snare", "one-shot"], "", audio.hit(200.0, noisiness=0.8, seed=index)
    for index in range(3):
        yield f"Noise wash {index + 1}", "fx", ["noise", "texture", "riser"], "", audio.noise(seed=index)


def seed(stdout) -> None:
    from catalog.models import Album, Artist, Sample
    from catalog.services import sample_create
    from tests.catalog.audio import encode_wav
    from tests.catalog.factories import ArtistFactory, GenreFactory, TrackFactory, TrackFeaturesFactory

    for title, artist_name, year, genres in ALBUMS:
        if Album.objects.filter(mbid=_mbid("album", title)).exists():
            continue
        artist = Artist.objects.filter(mbid=_mbid("artist", artist_name)).first() or ArtistFactory(
            name=artist_name, mbid=_mbid("artist", artist_name)
        )
        album = Album.objects.create(title=title, artist=artist, release_year=year, mbid=_mbid("album", title))
        album.genres.set([GenreFactory(slug=slug, name=slug.replace("-", " ").title()) for slug in genres])
        for number in range(1, 9):
            track = TrackFactory(album=album, track_number=number, mbid=_mbid("track", title, number))
            TrackFeaturesFactory(track=track)

    for name, category, tags, key, samples in _samples():
        if Sample.all_objects.filter(name=name).exists():
            continue
        slug = name.lower().replace(" ", "-").replace("#", "sharp")
        sample_create(
            name=name,
            category=category,
            tags=tags,
            key=key,
            audio_file=ContentFile(encode_wav(samples, 22050), name=f"{slug}.wav"),
        )
    stdout.write(f"catalog: {len(ALBUMS)} albums with tracks and features, {Sample.objects.count()} samples")
