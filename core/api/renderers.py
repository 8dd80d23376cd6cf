"""The API's JSON: DRF's output byte for byte, encoded by orjson where that gives the same bytes.

DRF's ``JSONRenderer`` (compact separators, UTF-8 text, ``\\u2028``/``\\u2029`` escaped) spends most of a big
page in Python's encoder. :class:`JSONRenderer` asks orjson for the same document and falls back to DRF's
encoder whenever orjson's bytes could differ or orjson refuses the data:

- a float under 1e-4 (orjson writes ``1e-7`` and ``0.00001`` where Python writes ``1e-07`` and ``1e-05``; every
  other finite float is written the same): a number token of that form in the output, and DRF renders it;
- what orjson does not encode (integers past 64 bits, keys that are not strings, a lone surrogate, a type
  neither knows): DRF renders it, or raises exactly as before;
- dates and times, decimals, lazy strings, sets and anything else orjson would encode its own way go through
  DRF's encoder (``JSONEncoder.default``), as they did;
- ``?indent`` / ``Accept: application/json; indent=4`` and the non-compact settings go to DRF.

One difference remains: a NaN or infinite float (which no request can store, see ``core.api.parsers``) is
``null`` here, where DRF's strict encoder raised a 500.
"""

from __future__ import annotations

import re

import orjson
from rest_framework import renderers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.utils.encoders import JSONEncoder

#: a number token where orjson's bytes differ from Python's, a float under 1e-4 (``1e-7``, ``0.00001``): it follows
#: ``[``, ``:`` or ``,`` in compact JSON (text that looks the same inside a string only costs the fallback; a UUID's
#: ``...3e-4...`` does not match, a hex digit or ``-`` comes before it)
MAY_DIFFER = re.compile(rb"[\[:,]-?(?:0\.0000|[0-9](?:\.[0-9]+)?e-)")
LINE_SEPARATORS = ((b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029"))
OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


class JSONRenderer(renderers.JSONRenderer):
    """DRF's ``JSONRenderer`` with the same output, encoded by orjson (see the module's docstring)."""

    encoder = JSONEncoder()

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if (
            data is None
            or self.ensure_ascii
            or not self.compact
            or not self.strict
            or self.get_indent(accepted_media_type, renderer_context or {}) is not None
        ):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            out = orjson.dumps(data, default=self.encoder.default, option=OPTIONS)
        except TypeError:  # orjson.JSONEncodeError included: DRF's encoder renders it or raises its own error
            return super().render(data, accepted_media_type, renderer_context)
        if MAY_DIFFER.search(b"[" + out):
            return super().render(data, accepted_media_type, renderer_context)
        if b"\xe2\x80" in out:
            for raw, escaped in LINE_SEPARATORS:
                out = out.replace(raw, escaped)
        return out


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, without parsing an ``Accept`` that every renderer takes (none, ``*/*``) or that names
    exactly the first renderer's media type: those get the first renderer, as DRF's negotiation gives them."""

    def select_renderer(self, request, renderers, format_suffix=None):
        accept = request.META.get("HTTP_ACCEPT", "*/*")
        if (
            format_suffix is None
            and renderers
            and not request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
            and accept in ("*/*", renderers[0].media_type)
        ):
            return renderers[0], renderers[0].media_type
        return super().select_renderer(request, renderers, format_suffix)
