"""Standard MIDI Files in and out of compositions (mido): notes in beats, a tempo map, meters and the key."""

from __future__ import annotations

import io

import mido
from django.core.exceptions import ValidationError

from audio_vcs.constants import MAX_MIDI_BYTES

NOT_MIDI = "'{name}' is not a Standard MIDI File ({reason})."
MIDI_TOO_BIG = "'{name}' is larger than {limit} MB."
NO_NOTES = "'{name}' holds no notes."
DEFAULT_TPB = 480
PERCUSSION_CHANNEL = 9


def _beats(ticks: int, tpb: int) -> float:
    return round(ticks / tpb, 6)


def midi_parse(data: bytes, *, name: str = "upload.mid") -> dict:
    """Read a Standard MIDI File into ``{midi_data, length_seconds, tracks: [{name, channel, program, notes}]}``;
    anything that is not one is a 400 naming the file."""
    if len(data) > MAX_MIDI_BYTES:
        raise ValidationError({"file": [MIDI_TOO_BIG.format(name=name, limit=MAX_MIDI_BYTES // 2**20)]})
    try:
        midi = mido.MidiFile(file=io.BytesIO(data))
    except (OSError, EOFError, ValueError, KeyError, IndexError, TypeError) as error:
        reason = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
        raise ValidationError({"file": [NOT_MIDI.format(name=name, reason=reason)]}, code="not_midi") from error
    tpb = midi.ticks_per_beat or DEFAULT_TPB
    tempo_map, meters, key = [], [], ""
    tracks = []
    end_tick = 0
    for index, track in enumerate(midi.tracks):
        end_tick = max(end_tick, sum(message.time for message in track))
        tick, open_notes, notes, programs = 0, {}, [], {}
        track_name, channels = track.name or "", set()
        for message in track:
            tick += message.time
            if message.type == "set_tempo":
                tempo_map.append({"beat": _beats(tick, tpb), "bpm": round(mido.tempo2bpm(message.tempo), 6)})
            elif message.type == "time_signature":
                meters.append(
                    {"beat": _beats(tick, tpb), "numerator": message.numerator, "denominator": message.denominator}
                )
            elif message.type == "key_signature" and not key:
                key = message.key
            elif message.type == "program_change":
                programs.setdefault(message.channel, message.program)
            elif message.type == "note_on" and message.velocity > 0:
                open_notes.setdefault((message.channel, message.note), []).append((tick, message.velocity))
                channels.add(message.channel)
            elif message.type in ("note_off", "note_on"):
                started = open_notes.get((message.channel, message.note))
                if started:
                    start, velocity = started.pop(0)
                    if tick > start:
                        notes.append(
                            {
                                "pitch": message.note,
                                "velocity": velocity,
                                "start": _beats(start, tpb),
                                "duration": _beats(tick - start, tpb),
                            }
                        )
        if notes:
            channel = min(channels) if channels else 0
            notes.sort(key=lambda n: (n["start"], n["pitch"]))
            tracks.append(
                {
                    "name": track_name or f"Track {index + 1}",
                    "channel": channel,
                    "program": programs.get(channel, 0),
                    "notes": notes,
                }
            )
    if not tracks:
        raise ValidationError({"file": [NO_NOTES.format(name=name)]}, code="not_midi")
    try:
        length = round(midi.length, 6)
    except ValueError:  # type 2 files have no single timeline
        length = None
    midi_data = {
        "ticks_per_beat": max(24, min(tpb, 32767)),
        "tempo_map": sorted(tempo_map, key=lambda t: t["beat"]) or [{"beat": 0, "bpm": 120.0}],
        "time_signatures": sorted(meters, key=lambda m: m["beat"]) or [{"beat": 0, "numerator": 4, "denominator": 4}],
        "key_signature": key,
        "tracks": tracks,
    }
    if end_tick:
        midi_data["end_beat"] = _beats(end_tick, tpb)  # the end of track, after the last note when the file says so
    return {"midi_data": midi_data, "length_seconds": length}


def midi_render(midi_data: dict) -> bytes:
    """A type-1 Standard MIDI File of ``midi_data``: a conductor track (tempi, meters, key) and one track per
    composition track; reading it back with ``midi_parse`` gives the same notes, tempi and meters."""
    tpb = int(midi_data.get("ticks_per_beat") or DEFAULT_TPB)
    midi = mido.MidiFile(type=1, ticks_per_beat=tpb)

    def ticks(beat: float) -> int:
        return round(beat * tpb)

    conductor = []
    for tempo in midi_data.get("tempo_map") or [{"beat": 0, "bpm": 120}]:
        conductor.append((ticks(tempo["beat"]), 0, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(tempo["bpm"]))))
    for meter in midi_data.get("time_signatures") or []:
        message = mido.MetaMessage("time_signature", numerator=meter["numerator"], denominator=meter["denominator"])
        conductor.append((ticks(meter.get("beat", 0)), 0, message))
    if midi_data.get("key_signature"):
        try:
            conductor.append((0, 0, mido.MetaMessage("key_signature", key=midi_data["key_signature"])))
        except (ValueError, KeyError):
            pass
    end = ticks(midi_data["end_beat"]) if midi_data.get("end_beat") else 0
    midi.tracks.append(_track(conductor, name="", end_tick=end))
    for track in midi_data.get("tracks") or []:
        channel = int(track.get("channel", 0))
        events = [(0, 0, mido.Message("program_change", channel=channel, program=int(track.get("program", 0))))]
        for note in track.get("notes", []):
            start, end = ticks(note["start"]), ticks(note["start"] + note["duration"])
            velocity = int(note.get("velocity", 64))
            events.append((start, 1, mido.Message("note_on", channel=channel, note=note["pitch"], velocity=velocity)))
            events.append((end, 0, mido.Message("note_off", channel=channel, note=note["pitch"], velocity=0)))
        midi.tracks.append(_track(events, name=track.get("name", "")))
    out = io.BytesIO()
    midi.save(file=out)
    return out.getvalue()


def _track(events: list[tuple[int, int, mido.Message]], *, name: str, end_tick: int = 0) -> mido.MidiTrack:
    """A track from absolute-tick events (note-offs sort before note-ons at the same tick), ending at ``end_tick``
    when that is later than its last event (a file's end of track is part of its length)."""
    track = mido.MidiTrack()
    if name:
        track.append(mido.MetaMessage("track_name", name=name.encode("latin-1", "replace").decode("latin-1")))
    now = 0
    for tick, _, message in sorted(events, key=lambda e: (e[0], e[1])):
        track.append(message.copy(time=tick - now))
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=max(0, end_tick - now)))
    return track
