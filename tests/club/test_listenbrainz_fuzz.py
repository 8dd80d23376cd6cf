"""Property-based fuzzing of the ListenBrainz-compatible API under ``/1/``, which the OpenAPI fuzz test never reaches.

Hypothesis generates hostile requests shaped like what scrobblers send: submit-listens bodies with every level
(``listen_type``, ``payload``, a listen, ``track_metadata``, ``additional_info``) swapped for odd values (wrong
types, deep nesting, lone surrogates, NUL, huge integers, ``NaN``/``Infinity`` tokens, very long strings), raw
bodies that are not JSON or not UTF-8, odd content types and tokens; and reads with odd user names, query
parameters (``min_ts``, ``max_ts``, ``count``, ``offset``, ``range``, ``token``), methods and tokens. Every answer:

- is never a server error (5xx);
- is an error in ListenBrainz's shape, ``{"code": <status>, "error": "<message>"}`` in JSON, or a success;
- writes nothing unless it is a successful submit: a refused submit stores no listen, no playing-now and no
  catalog row, and a read (or any refused request) inserts, updates and deletes no row, as PostgreSQL's own
  per-transaction counters (``pg_stat_xact_user_tables``) say;
- and what a successful submit stored reads back (``/listens``, ``/playing-now``, ``/listen-count`` stay 200).

Each example runs in a savepoint rolled back afterwards. Examples are derandomised (the same requests on every
run); ``LISTENBRAINZ_FUZZ_EXAMPLES`` sets how many each test sends (150 by default; more to fuzz harder) and
``FUZZ_EXAMPLES=0`` skips the module, as it skips the schema fuzz test.
"""

from __future__ import annotations

import json
import os
import urllib.parse

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from knox.models import AuthToken

from club.constants import LISTEN_MINIMUM_TS
from tests.club.factories import ListenEventFactory, MemberFactory, NowPlayingFactory
from tests.core.factories import UserFactory

if int(os.environ.get("FUZZ_EXAMPLES", "3")) <= 0:
    pytest.skip("FUZZ_EXAMPLES=0: the fuzz tests are off", allow_module_level=True)
#: examples per test (each test draws its own requests)
EXAMPLES = int(os.environ.get("LISTENBRAINZ_FUZZ_EXAMPLES", "150"))

FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)

T0 = 1_735_689_600  # 2025-01-01 UTC
MEMBER, FRIEND, STRANGER = "mira", "juno", "otto"
#: every row written anywhere in the current transaction so far (PostgreSQL's counters, subtransactions included)
WRITES_SQL = "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables"

# Values ------------------------------------------------------------------------------------------------------------

HUGE_INTS = [2**31, 2**53 + 1, 2**63, -(2**63) - 1, 2**64, 10**30, -(10**30), 10**4000]
ODD_TEXTS = [
    "",
    " ",
    "\t\n",
    "\x00",
    "a\x00b",
    "\ud800",
    "\udfff",
    "x\udc80y",
    "\U0001f3b5",
    "\u200b",
    "\x1c",
    "ß" * 300,
    "x" * 255,
    "x" * 256,
    "x" * 12_000,
    "١٢٣",
    "NaN",
    "null",
    "1735689600",
    "2025-01-01T00:00:00Z",
    "5b11f4ce-a62d-471e-81fc-a69a8278c7da",
    "spotify:track:4uLU6hMCjMI75M1A2tKUQC",
]
#: any character, lone surrogates and NUL included (json.dumps writes them as ``\ud800``, ``\u0000``)
texts = st.one_of(st.text(st.characters(exclude_categories=()), max_size=12), st.sampled_from(ODD_TEXTS))
ints = st.one_of(st.integers(), st.sampled_from(HUGE_INTS))
floats = st.floats(allow_nan=True, allow_infinity=True)  # json.dumps writes NaN, Infinity and -Infinity tokens
scalars = st.one_of(st.none(), st.booleans(), ints, floats, texts)
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3), max_leaves=6
)


def nest(depth: int, kind: str, leaf):
    for _ in range(depth):
        leaf = [leaf] if kind == "list" else {"a": leaf}
    return leaf


#: around the 64-level limit, and far beyond it
deep = st.builds(nest, st.integers(60, 70) | st.integers(100, 400), st.sampled_from(["list", "dict"]), scalars)
odd = st.one_of(values, deep)


uuids = st.uuids().map(str)
#: names the catalog can store: any UTF-8 text without NUL, up to and just over the 255-character limit
names = st.one_of(
    st.sampled_from(["Slowdive", "Alison", "Souvlaki", "Cocteau Twins", "Duster", " padded ", "x" * 255, "x" * 256]),
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=20),
)
additional_info = st.fixed_dictionaries(
    {},
    optional={
        "recording_mbid": uuids,
        "release_mbid": uuids,
        "artist_mbids": st.lists(uuids, max_size=2),
        "recording_msid": uuids,
        "spotify_id": st.sampled_from(["https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC", "spotify:track:x"]),
        "duration_ms": st.integers(1, 24 * 24 * 3600 * 1000),
        "duration": st.integers(1, 24 * 24 * 3600),
        "tags": st.lists(st.text(max_size=64), max_size=50),
        "tracknumber": st.integers(1, 30) | st.text(max_size=3),
        "submission_client": st.text(max_size=20),
        "music_service": st.sampled_from(["spotify.com", "bandcamp.com"]),
        "free": values,
    },
)
track_metadata = st.fixed_dictionaries(
    {"artist_name": names, "track_name": names},
    optional={
        "release_name": names,
        "additional_info": additional_info,
        "mbid_mapping": st.fixed_dictionaries({"recording_mbid": uuids, "artist_mbids": st.lists(uuids, max_size=2)}),
    },
)


def listens(listen_type: str):
    """A payload of well-formed listens for ``listen_type`` (times around 2025, repeats included)."""
    timed = listen_type != "playing_now"
    listen = st.fixed_dictionaries(
        {"track_metadata": track_metadata, **({"listened_at": st.integers(T0, T0 + 5)} if timed else {})}
    )
    return st.lists(listen, min_size=1, max_size=4 if listen_type == "import" else 1)


submissions = st.sampled_from(["single", "playing_now", "import"]).flatmap(
    lambda listen_type: st.fixed_dictionaries({"listen_type": st.just(listen_type), "payload": listens(listen_type)})
)
#: odd values for a listen's time and well-known fields, beyond the odd values of any type
ODD_SCALARS = [LISTEN_MINIMUM_TS - 1, LISTEN_MINIMUM_TS, 0, -1, T0 + 0.5, 1e10, "1735689600", True, None]
#: what replaces a value: a new object each time (mutations may go on inside it), never a shared constant
replacements = st.one_of(st.sampled_from(ODD_SCALARS), st.builds(list), st.builds(dict), odd)


def places(value, path=()):
    """Every place in a JSON value where a value sits or a key could be added: (path, is an existing key).
    Not below the depth of a listen's ``additional_info`` values, so a value made deep on purpose stays as it is."""
    if len(path) > 6:
        return
    if isinstance(value, dict):
        yield (*path, "odd key"), False
        for key, item in value.items():
            yield (*path, key), True
            yield from places(item, (*path, key))
    elif isinstance(value, list):
        yield (*path, len(value)), False
        for index, item in enumerate(value):
            yield (*path, index), True
            yield from places(item, (*path, index))


def mutate(body, path, replacement):
    """``body`` with the value at ``path`` replaced (or added, for a new key or the end of a list)."""
    if not path:
        return replacement
    parent = body
    for step in path[:-1]:
        parent = parent[step]
    if isinstance(parent, list) and path[-1] == len(parent):
        parent.append(replacement)
    else:
        parent[path[-1]] = replacement
    return body


#: how the body goes on the wire: JSON as a client writes it, or broken on purpose
ENCODINGS = ["json"] * 12 + ["truncated", "not utf-8", "bom", "huge number", "empty"]
CONTENT_TYPES = ["application/json"] * 6 + ["text/plain", "application/x-www-form-urlencoded", "", "x/y"]
#: the member's valid token (mostly), in other spellings, and tokens that are not valid
AUTHS = ["Token {key}"] * 12 + [
    *["token {key}", "Token  {key} ", "Bearer {key}", "Token {key} extra", "{key}"],
    *[None, "", "Token", "Token ", "Token nope", "Token " + "x" * 5000, "Token é", "Basic YTpi"],
]
auths = st.sampled_from(AUTHS)


def encode(body, encoding: str) -> bytes:
    text = json.dumps(body, allow_nan=True)
    if encoding == "truncated":
        return text[: len(text) // 2].encode()
    if encoding == "not utf-8":
        return b"\xff\xfe" + text.encode()
    if encoding == "bom":
        return b"\xef\xbb\xbf" + text.encode()
    if encoding == "huge number":
        return text.replace("[", "[" + "9" * 5000 + ",", 1).encode()
    if encoding == "empty":
        return b""
    return text.encode()


# Checks ------------------------------------------------------------------------------------------------------------


class FailedQueries:
    """Records every query PostgreSQL refuses during a request: hostile input must be refused before it gets
    there (a value out of a column's range is a 400 naming the parameter, not whatever the database said)."""

    def __init__(self):
        self.errors: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        try:
            return execute(sql, params, many, context)
        except DatabaseError as problem:
            self.errors.append(f"{type(problem).__name__}: {problem}")
            raise


def send(client, method: str, path: str, **kwargs):
    """The response to one request, which no query PostgreSQL refuses may be part of."""
    failed = FailedQueries()
    with connection.execute_wrapper(failed):
        response = client.generic(method, path, **kwargs)
    assert not failed.errors, (response.status_code, failed.errors)
    return response


def writes() -> int:
    with connection.cursor() as cursor:
        cursor.execute(WRITES_SQL)
        return cursor.fetchone()[0]


def assert_listenbrainz_answer(response) -> dict | None:
    """Never a 5xx; an error is JSON in ListenBrainz's shape. Returns the JSON body, if any."""
    body = response.content
    assert response.status_code < 500, body[:500]
    if response.request["REQUEST_METHOD"] == "HEAD":  # the headers of the GET, without its body
        assert response.status_code == 204 or response["Content-Type"].startswith("application/json")
        return None
    if response.status_code == 204:
        assert body == b""
        return None
    assert response["Content-Type"].startswith("application/json"), (response.status_code, response["Content-Type"])
    data = json.loads(body)
    if response.status_code >= 400:
        assert set(data) == {"code", "error"}, data
        assert data["code"] == response.status_code and isinstance(data["error"], str) and data["error"], data
        if response.status_code == 405:
            assert response["Allow"]
    return data


@pytest.fixture
def listenbrainz(db, settings):
    """The member (with a listen and a playing-now), a friend in a shared club, a stranger, and the member's key."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    member = MemberFactory(username=MEMBER)
    MemberFactory(username=FRIEND)
    UserFactory(username=STRANGER)
    ListenEventFactory(user=member)
    NowPlayingFactory(user=member)
    _, key = AuthToken.objects.create(user=member)
    return Client(), key


def header(auth: str | None, key: str) -> dict:
    return {} if auth is None else {"Authorization": auth.format(key=key)}


@FUZZ
@given(data=st.data())
def test_submit_listens_never_fails_and_a_refusal_writes_nothing(listenbrainz, data):
    client, key = listenbrainz
    body = data.draw(submissions, label="well-formed body")
    for _ in range(data.draw(st.sampled_from([0, 0, 1, 1, 1, 2, 3]), label="mutations")):
        path = data.draw(st.sampled_from([((), True), *places(body)]), label="where")[0]
        body = mutate(body, path, data.draw(replacements, label="odd value"))
    raw = encode(body, data.draw(st.sampled_from(ENCODINGS), label="encoding"))
    content_type = data.draw(st.sampled_from(CONTENT_TYPES), label="content type")
    auth = data.draw(auths, label="authorization")
    savepoint = transaction.savepoint()
    try:
        before = writes()
        response = send(
            client, "POST", "/1/submit-listens", data=raw, content_type=content_type, headers=header(auth, key)
        )
        answer = assert_listenbrainz_answer(response)
        event(
            f"{response.status_code} {answer.get('error', '')[:40] if answer else ''}"
        )  # --hypothesis-show-statistics
        if response.status_code != 200:
            assert writes() == before, answer
            return
        assert answer == {"status": "ok"}
        for read in ("listens?count=1000", "playing-now", "listen-count"):
            reread = client.get(f"/1/user/{MEMBER}/{read}", headers={"Authorization": f"Token {key}"})
            assert reread.status_code == 200, reread.content[:500]
    finally:
        transaction.savepoint_rollback(savepoint)


READS = ["user/{}/listens", "user/{}/playing-now", "user/{}/listen-count", "stats/user/{}/artists"]
PATHS = READS * 3 + ["validate-token", "submit-listens"]
#: mostly the member's own reads as a client sends them; other members, strangers, odd names, methods, tokens
USER_NAMES = [MEMBER] * 8 + [FRIEND, STRANGER, "nobody", MEMBER.upper(), "odd"]
METHODS = ["GET"] * 8 + ["HEAD", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"]
PARAMETERS = ["min_ts", "max_ts", "count", "offset", "range"] * 3 + ["token", "time_range", "odd"]
PARAMETER_VALUES = st.one_of(
    st.integers(-5, 2000).map(str),
    st.one_of(st.integers(2**31 - 2, 2**64 + 2), st.integers(10**18, 10**40), st.integers(max_value=-(2**31))).map(str),
    st.sampled_from(
        ["", " ", "-1", "0", "1e3", "1.5", "nan", "inf", "9" * 30, "9" * 5000, "-" + "9" * 30, "0x10", "١٢", "1_000"]
    ),
    st.sampled_from(["+5", " 5 ", "all_time", "week", "this_year", "ALL_TIME", str(T0), str(2**63), "{key}"]),
    texts,
)


def odd_or(choices: list[str]):
    """One of ``choices``; ``"odd"`` among them stands for any text."""
    return st.sampled_from(choices).flatmap(lambda choice: texts if choice == "odd" else st.just(choice))


@FUZZ
@given(
    path=st.sampled_from(PATHS),
    user_name=odd_or(USER_NAMES),
    query=st.lists(st.tuples(odd_or(PARAMETERS), PARAMETER_VALUES), max_size=4),
    method=st.sampled_from(METHODS),
    auth=st.sampled_from(["Token {key}"] * 3).flatmap(lambda good: st.one_of(st.just(good), auths)),
)
def test_reads_never_fail_and_write_nothing(listenbrainz, path, user_name, query, method, auth):
    client, key = listenbrainz
    quoted = urllib.parse.quote(user_name, safe="", errors="surrogatepass")
    pairs = [(name, value.format(key=key) if value == "{key}" else value) for name, value in query]
    query_string = urllib.parse.urlencode(pairs, errors="surrogatepass")
    if method == "POST" and path == "submit-listens":
        return  # the submit test's business
    savepoint = transaction.savepoint()
    try:
        before = writes()
        url = f"/1/{path.format(quoted)}?{query_string}"
        response = send(client, method, url, data=b"", content_type="", headers=header(auth, key))
        data = assert_listenbrainz_answer(response)
        event(f"{method} {response.status_code}")
        assert writes() == before, (response.status_code, data)
        if method == "GET" and response.status_code == 200 and path != "validate-token":
            assert isinstance(data["payload"], dict)
    finally:
        transaction.savepoint_rollback(savepoint)
