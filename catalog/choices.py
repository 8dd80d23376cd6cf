"""Enumerations of the catalog app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FeatureSource(models.TextChoices):
    SPOTIFY = "spotify", _("Spotify audio features")
    ACOUSTICBRAINZ = "acousticbrainz", _("AcousticBrainz")
    COMPUTED = "computed", _("Computed from audio")
    MANUAL = "manual", _("Entered by hand")


class SampleCategory(models.TextChoices):
    DRUMS = "drums", _("Drums")
    PERCUSSION = "percussion", _("Percussion")
    BASS = "bass", _("Bass")
    KEYS = "keys", _("Keys")
    SYNTH = "synth", _("Synth")
    GUITAR = "guitar", _("Guitar")
    STRINGS = "strings", _("Strings")
    BRASS = "brass", _("Brass")
    WOODWIND = "woodwind", _("Woodwind")
    VOCALS = "vocals", _("Vocals")
    FX = "fx", _("Effects")
    AMBIENT = "ambient", _("Ambient")
    OTHER = "other", _("Other")


class PresetKind(models.TextChoices):
    EFFECT = "effect", _("Effect")
    INSTRUMENT = "instrument", _("Instrument")


class SimilarityBy(models.TextChoices):
    AUDIO = "audio", _("Audio features")
    STYLE = "style", _("Style embedding")
