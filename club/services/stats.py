"""Listening statistics over time, read from the rollups (``ListenDay``, ``ListenSlot``), never the listens.

Ranges are ListenBrainz's (``data/model/common_stat.py`` ``StatisticsRange``; their meaning in
``listenbrainz_spark/stats/__init__.py`` ``get_dates_for_stats_range``): ``this_week``, ``this_month`` and
``this_year`` run from the start of the current calendar period to now; ``week``, ``month``, ``quarter``,
``half_yearly`` and ``year`` are the previous *full* calendar period (last Monday-to-Sunday week, last month,
last calendar quarter, last January-June or July-December half, last calendar year); ``all_time`` is
everything. Or an explicit ``from``/``to`` (UTC days, both included). Periods are UTC calendar days, as
ListenBrainz computes them. Top lists count whole UTC days (``ListenDay``); listening activity and the
weekday x hour heatmap read 15-minute slots (``ListenSlot``), shown in the member's time zone.

Ties in a top list are ordered by name, then id, so the same data always gives the same list.
Whose listens count: the members the viewer may see (core's ``visible_to``) who are active; a club's statistics
count its current members only. Callers pass the member ids they have checked (``stats_members``).
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

from dateutil.relativedelta import MO, relativedelta
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

RANGES = ("this_week", "this_month", "this_year", "week", "month", "quarter", "half_yearly", "year", "all_time")
ENTITIES = ("artists", "releases", "recordings")
STEPS = ("day", "week", "month", "year")
#: the step of a listening-activity chart when none is asked for (ListenBrainz's choice per range)
DEFAULT_STEP = {
    "this_week": "day",
    "week": "day",
    "this_month": "day",
    "month": "day",
    "quarter": "week",
    "half_yearly": "month",
    "this_year": "month",
    "year": "month",
    "all_time": "year",
    "custom": "day",
}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_BUCKETS = 1000

INVALID_RANGE = "Unknown range {value!r}: one of " + ", ".join(RANGES) + "."
INVALID_DATE = "A date as YYYY-MM-DD, from 1970 to 9000."
FROM_AFTER_TO = "'from' must not be after 'to'."
RANGE_AND_DATES = "Give a range or from/to, not both."
INVALID_STEP = "One of " + ", ".join(STEPS) + "."
TOO_MANY_BUCKETS = f"At most {MAX_BUCKETS} buckets: choose a longer step or a shorter range."
INVALID_TIME_ZONE = "An IANA time zone name, such as Europe/Paris."
INVALID_YEAR = "A year from 2002 to next year."


@dataclass(frozen=True)
class Window:
    """A statistics range: UTC days ``start`` (included) to ``end`` (excluded); None is open."""

    range: str
    start: datetime.date | None
    end: datetime.date | None

    def bounds(self) -> tuple[datetime.datetime | None, datetime.datetime | None]:
        """The window as UTC instants."""
        return tuple(
            None if day is None else datetime.datetime.combine(day, datetime.time.min, datetime.UTC)
            for day in (self.start, self.end)
        )


def _date(value: str, field: str) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        day = None
    if day is None or not 1970 <= day.year <= 9000:  # far-off years overflow the instants worked out from them
        raise ValidationError({field: INVALID_DATE}, code="invalid")
    return day


def stats_window(*, range_: str | None = None, from_: str | None = None, to: str | None = None, today=None) -> Window:
    """The window of a ListenBrainz range name, or of explicit ``from``/``to`` days (see the module docstring)."""
    today = today or timezone.now().astimezone(datetime.UTC).date()
    if from_ or to:
        if range_:
            raise ValidationError({"range": RANGE_AND_DATES}, code="invalid")
        start = _date(from_, "from") if from_ else None
        end = _date(to, "to") if to else None
        if start and end and start > end:
            raise ValidationError({"from": FROM_AFTER_TO}, code="invalid")
        return Window("custom", start, end + datetime.timedelta(days=1) if end else None)
    range_ = range_ or "all_time"
    if range_ not in RANGES:
        raise ValidationError({"range": INVALID_RANGE.format(value=range_)}, code="invalid")
    tomorrow = today + datetime.timedelta(days=1)
    monday = today + relativedelta(weekday=MO(-1))
    if range_ == "all_time":
        return Window(range_, None, None)
    if range_ == "this_week":
        return Window(range_, monday, tomorrow)
    if range_ == "this_month":
        return Window(range_, today.replace(day=1), tomorrow)
    if range_ == "this_year":
        return Window(range_, today.replace(month=1, day=1), tomorrow)
    if range_ == "week":
        return Window(range_, monday - datetime.timedelta(days=7), monday)
    if range_ == "month":
        end = today.replace(day=1)
        return Window(range_, end - relativedelta(months=1), end)
    if range_ == "quarter":
        end = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
        return Window(range_, end - relativedelta(months=3), end)
    if range_ == "half_yearly":
        end = today.replace(month=1 if today.month <= 6 else 7, day=1)
        return Window(range_, end - relativedelta(months=6), end)
    end = today.replace(month=1, day=1)  # year
    return Window(range_, end - relativedelta(years=1), end)


def time_zone(name: str | None) -> zoneinfo.ZoneInfo:
    """The named IANA zone (UTC when none is named)."""
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValidationError({"tz": INVALID_TIME_ZONE}, code="invalid") from None


def member_time_zone(user, override: str | None = None) -> zoneinfo.ZoneInfo:
    """``override`` (a ``?tz=`` the caller gave) or the member's own time zone (``MemberSettings``), else UTC."""
    if override:
        return time_zone(override)
    from club.models import MemberSettings

    name = MemberSettings.objects.filter(user=user).values_list("time_zone", flat=True).first()
    return time_zone(name)


def stats_members(*, viewer, user=None, club=None) -> list:
    """The ids of the members whose listens a statistic counts: ``user`` (if ``viewer`` may see them and they are
    active), or the current, active members of ``club`` that ``viewer`` may see."""
    users = get_user_model().objects.visible_to(viewer).filter(is_active=True)
    if user is not None:
        users = users.filter(pk=user.pk)
    if club is not None:
        users = users.filter(club_memberships__club=club)
    return list(users.values_list("pk", flat=True).distinct())


def _day_filter(window: Window, params: dict, alias: str = "d") -> str:
    sql = f"{alias}.user_id = ANY(%(users)s)"
    if window.start is not None:
        params["start"] = window.start
        sql += f" AND {alias}.day >= %(start)s"
    if window.end is not None:
        params["end"] = window.end
        sql += f" AND {alias}.day < %(end)s"
    return sql


_ENTITY_SQL = {
    "artists": (
        "ar.id, ar.name, ar.mbid",
        "JOIN catalog_album al ON al.id = t.album_id JOIN catalog_artist ar ON ar.id = al.artist_id",
        "ar.id",
        "ar.name",
    ),
    "releases": (
        "al.id, al.title, al.mbid, ar.name, ar.mbid",
        "JOIN catalog_album al ON al.id = t.album_id JOIN catalog_artist ar ON ar.id = al.artist_id",
        "al.id, ar.id",
        "al.title",
    ),
    "recordings": (
        "t.id, t.title, t.mbid, coalesce(nullif(t.artist_credit, ''), ar.name), ar.mbid, al.title, al.mbid",
        "JOIN catalog_album al ON al.id = t.album_id JOIN catalog_artist ar ON ar.id = al.artist_id",
        "t.id, al.id, ar.id",
        "t.title",
    ),
}


def top_entities(*, user_ids, window: Window, entity: str, count: int = 25, offset: int = 0) -> tuple[list, int]:
    """The most played artists, releases or recordings of ``user_ids`` in ``window``: ``(rows, total)``.

    Each row: ``id``, ``name``, ``mbid``, ``listen_count`` (plus the artist, and the release for recordings).
    Most listens first; ties by name, then id.
    """
    columns, joins, group, name = _ENTITY_SQL[entity]
    params: dict = {"users": list(user_ids), "count": count, "offset": offset}
    sql = f"""
        WITH counts AS (
            SELECT d.track_id, sum(d.listen_count) AS n FROM club_listenday d
            WHERE {_day_filter(window, params)} GROUP BY d.track_id
        )
        SELECT {columns}, sum(c.n)::bigint AS listen_count, count(*) OVER () AS total
        FROM counts c JOIN catalog_track t ON t.id = c.track_id {joins}
        GROUP BY {group}
        ORDER BY listen_count DESC, {name}, {group.split(",")[0]}
        LIMIT %(count)s OFFSET %(offset)s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        raw = cursor.fetchall()
    total = raw[0][-1] if raw else _entity_total(user_ids=user_ids, window=window, entity=entity)
    rows = []
    for row in raw:
        item = {"id": str(row[0]), "name": row[1], "mbid": str(row[2]) if row[2] else None, "listen_count": row[-2]}
        if entity == "releases":
            item.update(artist_name=row[3], artist_mbid=str(row[4]) if row[4] else None)
        if entity == "recordings":
            item.update(artist_name=row[3], artist_mbid=str(row[4]) if row[4] else None)
            item.update(release_name=row[5], release_mbid=str(row[6]) if row[6] else None)
        rows.append(item)
    return rows, total


def _entity_total(*, user_ids, window: Window, entity: str) -> int:
    """How many distinct entities ``window`` holds (for a page past the end, which has no row to carry it)."""
    key = {"artists": "al.artist_id", "releases": "t.album_id", "recordings": "t.id"}[entity]
    params: dict = {"users": list(user_ids)}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(DISTINCT {key}) FROM club_listenday d JOIN catalog_track t ON t.id = d.track_id"
            f" JOIN catalog_album al ON al.id = t.album_id WHERE {_day_filter(window, params)}",
            params,
        )
        return cursor.fetchone()[0]


def _local_bounds(window: Window, tz: zoneinfo.ZoneInfo, user_ids, params: dict) -> tuple:
    """The window's days as instants at local midnight in ``tz``; an open start begins at the first listen."""
    start, end = window.start, window.end
    if start is None or end is None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT min(slot_start), max(slot_start) FROM club_listenslot WHERE user_id = ANY(%(users)s)",
                {"users": list(user_ids)},
            )
            first, last = cursor.fetchone()
        if first is None:
            return None, None
        start = start or first.astimezone(tz).date()
        end = end or last.astimezone(tz).date() + datetime.timedelta(days=1)
    return start, end


def _bucket_start(day: datetime.date, step: str) -> datetime.date:
    if step == "week":
        return day - datetime.timedelta(days=day.weekday())
    if step == "month":
        return day.replace(day=1)
    if step == "year":
        return day.replace(month=1, day=1)
    return day


def _next_bucket(day: datetime.date, step: str) -> datetime.date:
    return (
        day
        + {
            "day": relativedelta(days=1),
            "week": relativedelta(weeks=1),
            "month": relativedelta(months=1),
            "year": relativedelta(years=1),
        }[step]
    )


def listening_activity(*, user_ids, window: Window, step: str | None = None, tz=None) -> list[dict]:
    """Listens per day, week, month or year of the window, empty buckets included, in time zone ``tz``.

    Each bucket: ``from_ts``, ``to_ts`` (Unix seconds), ``time_range`` (its label) and ``listen_count``.
    """
    step = step or DEFAULT_STEP[window.range]
    if step not in STEPS:
        raise ValidationError({"step": INVALID_STEP}, code="invalid")
    tz = tz or datetime.UTC
    params: dict = {"users": list(user_ids)}
    start, end = _local_bounds(window, tz, user_ids, params)
    if start is None:
        return []
    first = _bucket_start(start, step)
    buckets = [first]
    while (following := _next_bucket(buckets[-1], step)) < end:
        buckets.append(following)
        if len(buckets) > MAX_BUCKETS:
            raise ValidationError({"step": TOO_MANY_BUCKETS}, code="invalid")
    trunc = {"day": "day", "week": "week", "month": "month", "year": "year"}[step]
    params.update(
        tz=str(tz),
        start=datetime.datetime.combine(start, datetime.time.min, tz),
        end=datetime.datetime.combine(end, datetime.time.min, tz),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT date_trunc('{trunc}', s.slot_start AT TIME ZONE %(tz)s)::date, sum(s.listen_count)::bigint
            FROM club_listenslot s
            WHERE s.user_id = ANY(%(users)s) AND s.slot_start >= %(start)s AND s.slot_start < %(end)s
            GROUP BY 1""",
            params,
        )
        counts = dict(cursor.fetchall())
    labels = {"day": "%Y-%m-%d", "week": "%G-W%V", "month": "%B %Y", "year": "%Y"}
    result = []
    for bucket in buckets:
        following = _next_bucket(bucket, step)
        result.append(
            {
                "from_ts": int(datetime.datetime.combine(max(bucket, start), datetime.time.min, tz).timestamp()),
                "to_ts": int(datetime.datetime.combine(min(following, end), datetime.time.min, tz).timestamp()) - 1,
                "time_range": bucket.strftime(labels[step]),
                "listen_count": counts.get(bucket, 0),
            }
        )
    return result


def daily_activity(*, user_ids, window: Window, tz=None) -> dict[str, list[dict]]:
    """Listens per weekday and hour in time zone ``tz``: ``{"Monday": [{"hour": 0, "listen_count": n}, ...]}``.

    Read from 15-minute slots: every zone's offset is a multiple of 15 minutes, so each slot lies in one local
    hour, and a slot's weekday and hour are worked out in the zone at that instant (daylight saving included).
    """
    tz = tz or datetime.UTC
    params: dict = {"users": list(user_ids), "tz": str(tz)}
    where = "s.user_id = ANY(%(users)s)"
    start, end = window.bounds()
    if start is not None:
        params["start"] = start
        where += " AND s.slot_start >= %(start)s"
    if end is not None:
        params["end"] = end
        where += " AND s.slot_start < %(end)s"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT extract(isodow FROM s.slot_start AT TIME ZONE %(tz)s)::int,
                       extract(hour FROM s.slot_start AT TIME ZONE %(tz)s)::int, sum(s.listen_count)::bigint
            FROM club_listenslot s WHERE {where} GROUP BY 1, 2""",
            params,
        )
        counts = {(dow, hour): n for dow, hour, n in cursor.fetchall()}
    return {
        name: [{"hour": hour, "listen_count": counts.get((index + 1, hour), 0)} for hour in range(24)]
        for index, name in enumerate(WEEKDAYS)
    }


def new_artists(*, user_ids, window: Window, count: int = 25) -> list[dict]:
    """Artists first played in the window (by these members, ever): name, first day, listens in the window."""
    params: dict = {"users": list(user_ids), "count": count}
    conditions = []
    if window.start is not None:
        params["start"] = window.start
        conditions.append("first_day >= %(start)s")
    if window.end is not None:
        params["end"] = window.end
        conditions.append("first_day < %(end)s")
    having = " AND ".join(conditions) or "TRUE"
    in_window = _day_filter(window, params).replace("d.user_id = ANY(%(users)s)", "TRUE")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH per_artist AS (
                SELECT al.artist_id, min(d.day) AS first_day,
                       sum(d.listen_count) FILTER (WHERE {in_window})::bigint AS n
                FROM club_listenday d JOIN catalog_track t ON t.id = d.track_id
                JOIN catalog_album al ON al.id = t.album_id
                WHERE d.user_id = ANY(%(users)s) GROUP BY al.artist_id
            )
            SELECT ar.id, ar.name, ar.mbid, p.first_day, coalesce(p.n, 0)
            FROM per_artist p JOIN catalog_artist ar ON ar.id = p.artist_id
            WHERE {having}
            ORDER BY p.first_day, coalesce(p.n, 0) DESC, ar.name, ar.id LIMIT %(count)s""",
            params,
        )
        return [
            {
                "id": str(pk),
                "name": name,
                "mbid": str(mbid) if mbid else None,
                "first_listened_on": day.isoformat(),
                "listen_count": n,
            }
            for pk, name, mbid, day, n in cursor.fetchall()
        ]


def evolution(*, user_ids, window: Window, kind: str = "artists", step: str | None = None, count: int = 10) -> dict:
    """How the ``count`` most played artists (or genres) of the window did per step: ``{"buckets": [...],
    "series": [{"id", "name", "counts": [...]}]}``, buckets in UTC days, series most played first (ties by name)."""
    step = step or DEFAULT_STEP[window.range]
    if step not in STEPS:
        raise ValidationError({"step": INVALID_STEP}, code="invalid")
    params: dict = {"users": list(user_ids), "count": count}
    if kind == "genres":
        source = (
            "JOIN catalog_album_genres ag ON ag.album_id = t.album_id JOIN catalog_genre g ON g.id = ag.genre_id",
            "g.id",
            "g.name",
        )
    else:
        source = (
            "JOIN catalog_album al ON al.id = t.album_id JOIN catalog_artist g ON g.id = al.artist_id",
            "g.id",
            "g.name",
        )
    joins, key, name = source
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH rows AS (
                SELECT {key} AS key, {name} AS name, date_trunc('{step}', d.day)::date AS bucket,
                       sum(d.listen_count)::bigint AS n
                FROM club_listenday d JOIN catalog_track t ON t.id = d.track_id {joins}
                WHERE {_day_filter(window, params)} GROUP BY 1, 2, 3
            ), top AS (
                SELECT key, name, sum(n) AS total FROM rows GROUP BY key, name
                ORDER BY total DESC, name, key LIMIT %(count)s
            )
            SELECT top.key, top.name, top.total, rows.bucket, rows.n
            FROM top JOIN rows USING (key) ORDER BY top.total DESC, top.name, top.key, rows.bucket""",
            params,
        )
        raw = cursor.fetchall()
    buckets = sorted({row[3] for row in raw})
    series: dict = {}
    for key, label, total, bucket, n in raw:
        entry = series.setdefault(key, {"id": str(key), "name": label, "listen_count": total, "counts": {}})
        entry["counts"][bucket] = n
    return {
        "step": step,
        "buckets": [bucket.isoformat() for bucket in buckets],
        "series": [
            {**entry, "counts": [entry["counts"].get(bucket, 0) for bucket in buckets]} for entry in series.values()
        ],
    }


def year_in_review(*, user_ids, year: int, tz=None) -> dict:
    """The figures people share about a year: totals, top artists, releases and recordings, new artists, the
    busiest month and day, and when in the week they listen (in time zone ``tz``)."""
    this_year = timezone.now().year
    if not isinstance(year, int) or not 2002 <= year <= this_year + 1:
        raise ValidationError({"year": INVALID_YEAR}, code="invalid")
    window = Window("custom", datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1))
    params: dict = {"users": list(user_ids)}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT coalesce(sum(d.listen_count), 0)::bigint, count(DISTINCT d.track_id),
                       count(DISTINCT t.album_id), count(DISTINCT al.artist_id), count(DISTINCT d.day)
                FROM club_listenday d JOIN catalog_track t ON t.id = d.track_id
                JOIN catalog_album al ON al.id = t.album_id WHERE {_day_filter(window, params)}""",
            params,
        )
        listens, recordings, releases, artists, days = cursor.fetchone()
        cursor.execute(
            f"""SELECT d.day, sum(d.listen_count)::bigint AS n FROM club_listenday d
                WHERE {_day_filter(window, params)} GROUP BY d.day ORDER BY n DESC, d.day LIMIT 1""",
            params,
        )
        busiest_day = cursor.fetchone()
    months = listening_activity(user_ids=user_ids, window=window, step="month", tz=tz)
    heatmap = daily_activity(user_ids=user_ids, window=window, tz=tz)
    peak = max(
        ((day, cell["hour"], cell["listen_count"]) for day, cells in heatmap.items() for cell in cells),
        key=lambda item: item[2],
        default=None,
    )
    return {
        "year": year,
        "listen_count": listens,
        "days_with_listens": days,
        "recording_count": recordings,
        "release_count": releases,
        "artist_count": artists,
        "top_artists": top_entities(user_ids=user_ids, window=window, entity="artists", count=10)[0],
        "top_releases": top_entities(user_ids=user_ids, window=window, entity="releases", count=10)[0],
        "top_recordings": top_entities(user_ids=user_ids, window=window, entity="recordings", count=10)[0],
        "new_artists": new_artists(user_ids=user_ids, window=window, count=10),
        "listens_per_month": months,
        "busiest_month": max(months, key=lambda bucket: bucket["listen_count"])["time_range"] if listens else None,
        "busiest_day": {"day": busiest_day[0].isoformat(), "listen_count": busiest_day[1]} if busiest_day else None,
        "peak_hour": {"weekday": peak[0], "hour": peak[1], "listen_count": peak[2]} if peak and peak[2] else None,
        "daily_activity": heatmap,
    }
