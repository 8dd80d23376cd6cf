"""Listening rollups (kept by the database on every path) and the statistics read from them."""

import datetime
import io
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from club.importers.base import ListenImporter, ListenRow
from club.models import ListenDay, ListenEvent, ListenSlot
from club.services import stats
from club.services.listens import listen_stats_rebuild
from tests.catalog.factories import AlbumFactory, ArtistFactory, GenreFactory, TrackFactory
from tests.club.factories import ClubFactory, ClubMembershipFactory, ListenEventFactory, join_club
from tests.core.factories import UserFactory

UTC = datetime.UTC


def at(*parts) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=UTC)


def rollup(user) -> tuple[dict, dict]:
    days = {(row.day, row.track_id): row.listen_count for row in ListenDay.objects.filter(user=user)}
    slots = {row.slot_start: row.listen_count for row in ListenSlot.objects.filter(user=user)}
    return days, slots


def rollup_from_listens(user) -> tuple[dict, dict]:
    days, slots = {}, {}
    for listen in ListenEvent.objects.filter(user=user):
        key = (listen.played_at.astimezone(UTC).date(), listen.track_id)
        days[key] = days.get(key, 0) + 1
        slot = listen.played_at.replace(minute=listen.played_at.minute // 15 * 15, second=0, microsecond=0)
        slots[slot] = slots.get(slot, 0) + 1
    return days, slots


@pytest.fixture
def member(db):
    user = UserFactory(username="mira")
    join_club(user)
    return user


@pytest.fixture
def catalog(db):
    """Two artists: Duster (two albums) and Slowdive; one track per album."""
    duster, slowdive = ArtistFactory(name="Duster"), ArtistFactory(name="Slowdive")
    stratosphere = TrackFactory(album=AlbumFactory(artist=duster, title="Stratosphere"), title="Topaz")
    contemporary = TrackFactory(album=AlbumFactory(artist=duster, title="Contemporary Movement"), title="Inside")
    souvlaki = TrackFactory(album=AlbumFactory(artist=slowdive, title="Souvlaki"), title="Alison")
    return {"topaz": stratosphere, "inside": contemporary, "alison": souvlaki}


# Rollups -------------------------------------------------------------------------------------------------------


def test_rollups_follow_inserts_deletes_corrections_and_truncate(member, catalog):
    listens = [
        ListenEventFactory(user=member, track=catalog["topaz"], played_at=at(2025, 3, 1, 10, minute))
        for minute in (0, 5, 20)
    ]
    ListenEventFactory(user=member, track=catalog["alison"], played_at=at(2025, 3, 2, 23, 59))
    days, slots = rollup(member)
    assert days == {
        (datetime.date(2025, 3, 1), catalog["topaz"].pk): 3,
        (datetime.date(2025, 3, 2), catalog["alison"].pk): 1,
    }
    assert slots == {at(2025, 3, 1, 10, 0): 2, at(2025, 3, 1, 10, 15): 1, at(2025, 3, 2, 23, 45): 1}

    listens[0].delete()
    ListenEvent.objects.filter(pk=listens[1].pk).update(track=catalog["inside"])  # a correction
    assert rollup(member) == rollup_from_listens(member)
    assert rollup(member)[0][(datetime.date(2025, 3, 1), catalog["topaz"].pk)] == 1

    ListenEvent.objects.filter(pk=listens[2].pk).update(metadata={"note": "edited"})  # no count changes
    assert rollup(member) == rollup_from_listens(member)

    ListenEvent.objects.filter(user=member).delete()
    assert rollup(member) == ({}, {})


def test_rollups_follow_the_importer_and_truncate(member, catalog):
    rows = [
        ListenRow(
            listened_at=at(2025, 1, 1, 12).timestamp() + n * 60, artist="Duster", title="Topaz", album="Stratosphere"
        )
        for n in range(5)
    ]
    ListenImporter(user=member, source="listenbrainz").run(rows)
    ListenImporter(user=member, source="listenbrainz").run(rows)  # duplicates add nothing
    assert sum(rollup(member)[0].values()) == 5
    assert rollup(member) == rollup_from_listens(member)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's transaction holds deferred checks
        cursor.execute("TRUNCATE club_listenevent")
    assert not ListenDay.objects.exists() and not ListenSlot.objects.exists()


def test_rebuild_command_repairs_rollups_with_progress(member, catalog):
    for n in range(4):
        ListenEventFactory(user=member, track=catalog["alison"], played_at=at(2025, 5, 1, 8, n))
    other = UserFactory()
    join_club(other)
    ListenEventFactory(user=other, track=catalog["topaz"], played_at=at(2025, 5, 1, 8))
    with connection.cursor() as cursor:  # damage the rollups past the triggers
        cursor.execute("UPDATE club_listenday SET listen_count = 99")
        cursor.execute("DELETE FROM club_listenslot")
    out, err = io.StringIO(), io.StringIO()
    call_command("rebuild_listen_stats", stdout=out, stderr=err)
    assert "2 member(s)" in out.getvalue() and "members" in err.getvalue()  # tqdm writes progress to stderr
    assert rollup(member) == rollup_from_listens(member)
    assert rollup(other) == rollup_from_listens(other)
    assert listen_stats_rebuild(user_ids=[member.pk]) == 1


def test_rebuild_command_names_an_unknown_member(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="nobody"):
        call_command("rebuild_listen_stats", "--user", "nobody", stdout=io.StringIO(), stderr=io.StringIO())


# Ranges --------------------------------------------------------------------------------------------------------

TODAY = datetime.date(2026, 8, 19)  # a Wednesday in the third quarter and the second half


@pytest.mark.parametrize(
    ("range_", "start", "end"),
    [
        ("this_week", datetime.date(2026, 8, 17), datetime.date(2026, 8, 20)),
        ("this_month", datetime.date(2026, 8, 1), datetime.date(2026, 8, 20)),
        ("this_year", datetime.date(2026, 1, 1), datetime.date(2026, 8, 20)),
        ("week", datetime.date(2026, 8, 10), datetime.date(2026, 8, 17)),
        ("month", datetime.date(2026, 7, 1), datetime.date(2026, 8, 1)),
        ("quarter", datetime.date(2026, 4, 1), datetime.date(2026, 7, 1)),
        ("half_yearly", datetime.date(2026, 1, 1), datetime.date(2026, 7, 1)),
        ("year", datetime.date(2025, 1, 1), datetime.date(2026, 1, 1)),
        ("all_time", None, None),
    ],
)
def test_ranges_mean_what_listenbrainz_means(range_, start, end):
    assert stats.stats_window(range_=range_, today=TODAY) == stats.Window(range_, start, end)


def test_ranges_early_in_the_year_reach_back_to_the_previous_one():
    jan = datetime.date(2026, 2, 3)
    assert stats.stats_window(range_="quarter", today=jan).start == datetime.date(2025, 10, 1)
    assert stats.stats_window(range_="half_yearly", today=jan).start == datetime.date(2025, 7, 1)
    assert stats.stats_window(range_="month", today=datetime.date(2026, 1, 5)).start == datetime.date(2025, 12, 1)


def test_explicit_days_include_both_ends_and_bad_input_names_the_field():
    window = stats.stats_window(from_="2025-01-01", to="2025-01-31")
    assert (window.start, window.end) == (datetime.date(2025, 1, 1), datetime.date(2025, 2, 1))
    for kwargs, field in [
        ({"range_": "forever"}, "range"),
        ({"from_": "yesterday"}, "from"),
        ({"to": "9999-12-31"}, "to"),
        ({"from_": "2025-02-01", "to": "2025-01-01"}, "from"),
        ({"range_": "week", "from_": "2025-01-01"}, "range"),
    ]:
        with pytest.raises(ValidationError) as refused:
            stats.stats_window(**kwargs)
        assert field in refused.value.message_dict


# Statistics ----------------------------------------------------------------------------------------------------


def test_top_lists_count_the_window_and_break_ties_by_name(member, catalog):
    for minute in range(3):
        ListenEventFactory(user=member, track=catalog["alison"], played_at=at(2025, 6, 1, 9, minute))
    ListenEventFactory(user=member, track=catalog["topaz"], played_at=at(2025, 6, 2, 9))
    ListenEventFactory(user=member, track=catalog["inside"], played_at=at(2025, 6, 3, 9))
    ListenEventFactory(user=member, track=catalog["inside"], played_at=at(2024, 1, 1, 9))  # outside the window
    window = stats.stats_window(from_="2025-06-01", to="2025-06-30")
    ids = [member.pk]
    artists, total = stats.top_entities(user_ids=ids, window=window, entity="artists")
    assert [(row["name"], row["listen_count"]) for row in artists] == [("Slowdive", 3), ("Duster", 2)] and total == 2
    releases, _ = stats.top_entities(user_ids=ids, window=window, entity="releases")
    # a tie of one listen each: by title
    assert [(row["name"], row["listen_count"]) for row in releases] == [
        ("Souvlaki", 3),
        ("Contemporary Movement", 1),
        ("Stratosphere", 1),
    ]
    recordings, _ = stats.top_entities(user_ids=ids, window=window, entity="recordings", count=1, offset=1)
    assert [(row["name"], row["release_name"]) for row in recordings] == [("Inside", "Contemporary Movement")]
    assert stats.top_entities(user_ids=ids, window=window, entity="artists", offset=10) == ([], 2)
    everything, _ = stats.top_entities(user_ids=ids, window=stats.stats_window(), entity="artists")
    assert [row["listen_count"] for row in everything] == [3, 3]
    assert [row["name"] for row in everything] == ["Duster", "Slowdive"]  # a tie: by name


def test_daily_activity_is_in_the_members_time_zone_across_dst_and_quarter_hour_offsets(member, catalog):
    # 00:30 UTC is 01:30 in Paris on Saturday 2026-03-28 (CET) and 02:30 on Monday 2026-03-30 (CEST)
    ListenEventFactory(user=member, track=catalog["alison"], played_at=at(2026, 3, 28, 0, 30))
    ListenEventFactory(user=member, track=catalog["alison"], played_at=at(2026, 3, 30, 0, 30))
    # Kathmandu is UTC+05:45: 00:10 UTC is 05:55, 00:20 UTC is 06:05 (Thursday 2026-04-02)
    ListenEventFactory(user=member, track=catalog["topaz"], played_at=at(2026, 4, 2, 0, 10))
    ListenEventFactory(user=member, track=catalog["topaz"], played_at=at(2026, 4, 2, 0, 20))
    window = stats.stats_window()

    def cells(tz):
        heatmap = stats.daily_activity(user_ids=[member.pk], window=window, tz=zoneinfo.ZoneInfo(tz))
        return {
            (day, cell["hour"]): cell["listen_count"]
            for day, row in heatmap.items()
            for cell in row
            if cell["listen_count"]
        }

    assert cells("Europe/Paris") == {("Saturday", 1): 1, ("Monday", 2): 1, ("Thursday", 2): 2}
    assert cells("Asia/Kathmandu") == {("Saturday", 6): 1, ("Monday", 6): 1, ("Thursday", 5): 1, ("Thursday", 6): 1}
    heatmap = stats.daily_activity(user_ids=[member.pk], window=window)
    assert list(heatmap) == list(stats.WEEKDAYS) and all(len(row) == 24 for row in heatmap.values())


def test_listening_activity_buckets_local_days_with_empty_ones(member, catalog):
    # 23:30 UTC on 1 January is 2 January in Tokyo
    ListenEventFactory(user=member, track=catalog["alison"], played_at=at(2026, 1, 1, 23, 30))
    ListenEventFactory(user=member, track=catalog["alison"], played_at=at(2026, 1, 3, 1, 0))
    window = stats.stats_window(from_="2026-01-01", to="2026-01-03")
    tokyo = stats.listening_activity(
        user_ids=[member.pk], window=window, step="day", tz=zoneinfo.ZoneInfo("Asia/Tokyo")
    )
    assert [(bucket["time_range"], bucket["listen_count"]) for bucket in tokyo] == [
        ("2026-01-01", 0),
        ("2026-01-02", 1),
        ("2026-01-03", 1),
    ]
    utc = stats.listening_activity(user_ids=[member.pk], window=window, step="day")
    assert [bucket["listen_count"] for bucket in utc] == [1, 0, 1]
    assert (
        utc[0]["from_ts"] == int(at(2026, 1, 1).timestamp()) and utc[0]["to_ts"] == int(at(2026, 1, 2).timestamp()) - 1
    )
    months = stats.listening_activity(user_ids=[member.pk], window=stats.stats_window(), step="month")
    assert [(bucket["time_range"], bucket["listen_count"]) for bucket in months] == [("January 2026", 2)]
    with pytest.raises(ValidationError):
        stats.listening_activity(user_ids=[member.pk], window=window, step="fortnight")


def test_new_artists_evolution_and_year_in_review(member, catalog):
    rock = GenreFactory(name="Slowcore", slug="slowcore")
    catalog["topaz"].album.genres.set([rock])
    ListenEventFactory(user=member, track=catalog["topaz"], played_at=at(2024, 12, 31, 12))  # Duster known before
    ListenEventFactory(user=member, track=catalog["topaz"], played_at=at(2025, 2, 1, 12))
    ListenEventFactory(user=member, track=catalog["alison"], played_at=at(2025, 3, 1, 12))
    ListenEventFactory(user=member, track=catalog["alison"], played_at=at(2025, 3, 1, 13))
    year = stats.stats_window(from_="2025-01-01", to="2025-12-31")
    new = stats.new_artists(user_ids=[member.pk], window=year)
    assert [(row["name"], row["first_listened_on"], row["listen_count"]) for row in new] == [
        ("Slowdive", "2025-03-01", 2)
    ]
    artists = stats.evolution(user_ids=[member.pk], window=year, kind="artists", step="month")
    assert artists["buckets"] == ["2025-02-01", "2025-03-01"]
    assert [(s["name"], s["counts"]) for s in artists["series"]] == [("Slowdive", [0, 2]), ("Duster", [1, 0])]
    genres = stats.evolution(user_ids=[member.pk], window=year, kind="genres", step="year")
    assert [(s["name"], s["counts"]) for s in genres["series"]] == [("Slowcore", [1])]

    review = stats.year_in_review(user_ids=[member.pk], year=2025)
    assert (review["listen_count"], review["artist_count"], review["days_with_listens"]) == (3, 2, 2)
    assert review["top_artists"][0]["name"] == "Slowdive" and review["busiest_month"] == "March 2025"
    assert review["busiest_day"] == {"day": "2025-03-01", "listen_count": 2}
    assert review["peak_hour"]["weekday"] == "Saturday" and [a["name"] for a in review["new_artists"]] == ["Slowdive"]
    with pytest.raises(ValidationError):
        stats.year_in_review(user_ids=[member.pk], year=1999)


# The API -------------------------------------------------------------------------------------------------------


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_member_stats_api_reads_rollups_and_refuses_bad_parameters(member, catalog, django_assert_max_num_queries):
    ListenEventFactory(user=member, track=catalog["alison"], played_at=at(2025, 6, 1, 9))
    url = reverse("club-api:user-stats", kwargs={"pk": member.pk, "kind": "artists"})
    with django_assert_max_num_queries(6):
        body = api(member).get(url, {"from": "2025-01-01", "to": "2025-12-31", "count": 100}).json()
    assert body["results"][0]["name"] == "Slowdive" and body["total"] == 1 and body["from"] == "2025-01-01"
    for params, field in [({"range": "forever"}, "range"), ({"count": "0"}, "count"), ({"tz": "Mars/Base"}, "tz")]:
        response = api(member).get(
            reverse("club-api:user-stats", kwargs={"pk": member.pk, "kind": "daily-activity"}), params
        )
        assert response.status_code == 400 and field in str(response.json()), params
    unknown = api(member).get(reverse("club-api:user-stats", kwargs={"pk": member.pk, "kind": "moods"}))
    assert unknown.status_code == 404
    for kind in stats_kinds():
        response = api(member).get(reverse("club-api:user-stats", kwargs={"pk": member.pk, "kind": kind}))
        assert response.status_code == 200, kind


def stats_kinds():
    from club.api.views import STAT_KINDS

    return STAT_KINDS


def test_member_settings_time_zone_is_used_by_activity(member, catalog):
    ListenEventFactory(user=member, track=catalog["alison"], played_at=at(2026, 1, 1, 23, 30))
    url = reverse("club-api:user-member-settings", kwargs={"pk": member.pk})
    assert api(member).get(url).json() == {"time_zone": "UTC"}
    assert api(member).put(url, {"time_zone": "Nowhere/City"}, format="json").status_code == 400
    assert api(member).put(url, {"time_zone": "Asia/Tokyo"}, format="json").json() == {"time_zone": "Asia/Tokyo"}
    other = UserFactory()
    join_club(other)
    assert api(other).put(url, {"time_zone": "UTC"}, format="json").status_code == 403
    activity = (
        api(member)
        .get(
            reverse("club-api:user-stats", kwargs={"pk": member.pk, "kind": "listening-activity"}),
            {"from": "2026-01-01", "to": "2026-01-02", "step": "day"},
        )
        .json()
    )
    assert activity["time_zone"] == "Asia/Tokyo"
    assert [bucket["listen_count"] for bucket in activity["results"]] == [0, 1]


def test_year_in_review_api_for_member_and_club(member, catalog):
    ListenEventFactory(user=member, track=catalog["alison"], played_at=at(2025, 6, 1, 9))
    mine = api(member).get(reverse("club-api:user-year", kwargs={"pk": member.pk, "year": "2025"})).json()
    assert mine["listen_count"] == 1 and mine["top_artists"][0]["name"] == "Slowdive"
    club = member.club_memberships.get().club
    theirs = api(member).get(reverse("club-api:club-year", kwargs={"pk": club.pk, "year": "2025"})).json()
    assert theirs["listen_count"] == 1
    bad = api(member).get(reverse("club-api:user-year", kwargs={"pk": member.pk, "year": "0000-1"}))
    assert bad.status_code == 400 and "year" in str(bad.json())


def test_club_stats_count_current_active_members_only(member, catalog):
    club = ClubFactory()
    ClubMembershipFactory(user=member, club=club)
    active, inactive, former, outsider = (UserFactory() for _ in range(4))
    for user in (active, inactive, former):
        ClubMembershipFactory(user=user, club=club)
    inactive.is_active = False
    inactive.save()
    from club.models import ClubMembership

    ClubMembership.objects.filter(user=former, club=club).delete()  # left the club
    for user in (member, active, inactive, former, outsider):
        ListenEventFactory(user=user, track=catalog["alison"], played_at=at(2025, 6, 1, 9))
    url = reverse("club-api:club-stats", kwargs={"pk": club.pk, "kind": "artists"})
    body = api(member).get(url).json()
    assert body["results"][0]["listen_count"] == 2  # the member and the active one
    assert api(outsider).get(url).status_code == 404  # not the outsider's club
    heatmap = api(member).get(reverse("club-api:club-stats", kwargs={"pk": club.pk, "kind": "daily-activity"})).json()
    assert heatmap["results"]["Sunday"][9]["listen_count"] == 2


def test_member_stats_are_private_to_club_mates(member, catalog):
    stranger = UserFactory()
    url = reverse("club-api:user-stats", kwargs={"pk": member.pk, "kind": "artists"})
    assert api(stranger).get(url).status_code == 404
    assert APIClient().get(url).status_code in (401, 403)


# ListenBrainz's /1/stats --------------------------------------------------------------------------------------


@pytest.fixture
def lb_client(member):
    from django.test import Client

    _, key = AuthToken.objects.create(user=member)
    return Client(headers={"Authorization": f"Token {key}"})


def test_listenbrainz_stats_endpoints_answer_in_listenbrainz_shape(lb_client, member, catalog):
    assert lb_client.get("/1/stats/user/mira/releases").status_code == 204
    assert lb_client.get("/1/stats/user/mira/daily-activity").status_code == 204
    ListenEventFactory(user=member, track=catalog["alison"], played_at=at(2025, 6, 1, 9))
    ListenEventFactory(user=member, track=catalog["topaz"], played_at=at(2025, 6, 1, 10))
    ListenEventFactory(user=member, track=catalog["topaz"], played_at=at(2025, 6, 2, 10))
    releases = lb_client.get("/1/stats/user/mira/releases").json()["payload"]
    assert [(r["release_name"], r["artist_name"], r["listen_count"]) for r in releases["releases"]] == [
        ("Stratosphere", "Duster", 2),
        ("Souvlaki", "Slowdive", 1),
    ]
    assert releases["total_release_count"] == 2 and releases["range"] == "all_time" and releases["user_id"] == "mira"
    recordings = lb_client.get("/1/stats/user/mira/recordings", {"count": 1}).json()["payload"]
    assert recordings["recordings"][0]["track_name"] == "Topaz" and recordings["total_recording_count"] == 2
    assert recordings["recordings"][0]["recording_mbid"] == str(catalog["topaz"].mbid)
    activity = lb_client.get("/1/stats/user/mira/listening-activity", {"from": "2025-06-01", "to": "2025-06-03"})
    buckets = activity.json()["payload"]["listening_activity"]
    assert [(b["time_range"], b["listen_count"]) for b in buckets] == [
        ("2025-06-01", 2),
        ("2025-06-02", 1),
        ("2025-06-03", 0),
    ]
    daily = lb_client.get("/1/stats/user/mira/daily-activity").json()["payload"]["daily_activity"]
    assert daily["Sunday"][9] == {"hour": 9, "listen_count": 1} and daily["Monday"][10]["listen_count"] == 1
    refused = lb_client.get("/1/stats/user/mira/recordings", {"range": "forever"})
    assert refused.status_code == 400 and refused.json() == {"code": 400, "error": "Invalid range: forever"}
    assert lb_client.get("/1/stats/user/mira/daily-activity", {"tz": "Nowhere"}).status_code == 400
    assert lb_client.get("/1/stats/user/mira/listening-activity", {"from": "2025-13-01"}).json()["code"] == 400


# A member's own history ----------------------------------------------------------------------------------------


def test_members_delete_and_correct_their_own_listens_and_the_rollups_follow(member, catalog):
    import pghistory.models

    from club.services import listens

    listen = ListenEventFactory(user=member, track=catalog["topaz"], played_at=at(2025, 4, 1, 9))
    gone = ListenEventFactory(user=member, track=catalog["topaz"], played_at=at(2025, 4, 1, 10))
    other = UserFactory()
    join_club(other)
    url = reverse("club-api:listenevent-correct", kwargs={"pk": listen.pk})
    assert api(other).post(url, {"track": str(catalog["alison"].pk)}, format="json").status_code == 403
    response = api(member).post(url, {"track": str(catalog["alison"].pk)}, format="json")
    assert response.status_code == 200 and response.json()["track"]["id"] == str(catalog["alison"].pk)
    again = api(member).post(url, {"track": str(catalog["alison"].pk)}, format="json")
    assert again.status_code == 400 and "track" in str(again.json())
    events = pghistory.models.Events.objects.references(listen).filter(pgh_label="update")
    assert events.exists()  # the correction is in the history, with the old track

    detail = reverse("club-api:listenevent-detail", kwargs={"pk": gone.pk})
    assert api(other).delete(detail).status_code == 403
    assert api(member).delete(detail).status_code == 204
    assert rollup(member) == rollup_from_listens(member)
    assert rollup(member)[0] == {(datetime.date(2025, 4, 1), catalog["alison"].pk): 1}
    with pytest.raises(PermissionDenied):
        listens.listen_delete(listen=listen, actor=other)
    assert ListenEvent.objects.filter(pk=listen.pk).exists()


# Duplicates within a tolerance ---------------------------------------------------------------------------------


def _rows(*seconds, title="Topaz"):
    base = at(2025, 7, 1, 12).timestamp()
    return [ListenRow(listened_at=base + s, artist="Duster", title=title, album="Stratosphere") for s in seconds]


def test_a_second_listen_of_a_track_within_the_tolerance_is_a_duplicate(member, catalog, settings):
    summary = ListenImporter(user=member, source="listenbrainz").run(_rows(0, 10, 45))
    assert (summary.imported, summary.duplicates) == (2, 1)  # 10 s after the first: a double submission
    later = ListenImporter(user=member, source="listenbrainz").run(_rows(50, 200) + _rows(5, title="Inside"))
    assert (later.imported, later.duplicates) == (2, 1)  # 50 is 5 s after the stored 45; another track counts
    settings.CLUB_DUPLICATE_TOLERANCE_S = 0
    exact = ListenImporter(user=member, source="listenbrainz").run(_rows(0, 1))
    assert (exact.imported, exact.duplicates) == (1, 1)
    assert sum(rollup(member)[0].values()) == ListenEvent.objects.filter(user=member).count() == 5


@pytest.mark.django_db(transaction=True)
def test_duplicate_submissions_racing_store_one_listen(transactional_db):
    from core.testing import run_concurrently

    user = UserFactory()
    TrackFactory(album=AlbumFactory(artist=ArtistFactory(name="Duster"), title="Stratosphere"), title="Topaz")

    def submit(second):
        return lambda: ListenImporter(user=user, source="listenbrainz").run(_rows(second)).imported

    results = run_concurrently(submit(0), submit(12), submit(20))
    assert sorted(results) == [0, 0, 1], results
    assert ListenEvent.objects.filter(user=user).count() == 1
