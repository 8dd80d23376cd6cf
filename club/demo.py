"""Demo data of the club: past weeks played through the club rules, a week open for nominations, a few
thousand listens imported through the COPY importer, and the taste, compatibility and recommendations
computed from them. Safe to run again: it does nothing once the demo weeks exist."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

MEMBERS = ["alice", "bob", "carol", "dave"]
PAST_WEEKS = 4
LISTENS_PER_MEMBER = 900


def seed(stdout) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from catalog.models import Album, Track
    from club import services
    from club.importers.base import ListenImporter, ListenRow
    from club.models import ClubMembership, Follow, LinkedAccount, Week
    from club.services import taste
    from core.choices import MembershipRole
    from tests.catalog.factories import AlbumFactory, TrackFactory, TrackFeaturesFactory
    from tests.club.factories import WeekFactory, default_club

    if Week.objects.filter(label__startswith="DEMO WEEK").exists():
        stdout.write("club: demo data already present")
        return
    rng = random.Random(5)
    users = {u.username: u for u in get_user_model().objects.filter(username__in=MEMBERS)}
    members = [users[name] for name in MEMBERS if name in users]
    club = default_club()
    for index, member in enumerate(members):
        role = MembershipRole.OWNER if index == 0 else MembershipRole.MEMBER
        ClubMembership.objects.get_or_create(club=club, user=member, defaults={"role": role})
    albums = list(Album.objects.order_by("title")[:8])
    while len(albums) < 6:
        album = AlbumFactory()
        for number in range(1, 6):
            TrackFeaturesFactory(track=TrackFactory(album=album, track_number=number))
        albums.append(album)

    # Past weeks, played through the services at the moments they happened.
    day = datetime.timedelta(days=1)
    start = timezone.now() - datetime.timedelta(weeks=PAST_WEEKS + 1)
    for index in range(PAST_WEEKS):
        opens = start + datetime.timedelta(weeks=index)
        week = WeekFactory(
            label=f"DEMO WEEK {index + 1:03d} [{(opens + 5 * day):%Y-%m-%d}]",
            week_number=index + 1,
            nominations_close_at=opens + 3 * day,
            poll_close_at=opens + 4 * day,
            discussion_at=opens + 5 * day,
        )
        picks = rng.sample(albums, len(members))
        nominations = [
            services.nomination_create(
                week=week,
                user=member,
                album=album,
                pitch=f"{member.display_name or member.username} swears by this one.",
                now=opens,
            )
            for member, album in zip(members, picks, strict=False)
        ]
        for member in members:
            others = [n for n in nominations if n.user_id != member.pk]
            first, second = rng.sample(others, 2)
            services.vote_cast(user=member, nomination=first, rank=1, now=opens + 3 * day)
            services.vote_cast(user=member, nomination=second, rank=2, now=opens + 3 * day)
        week = services.week_close_poll(week=week, now=week.poll_close_at)
        tracks = list(Track.objects.filter(album_id=week.winner_album_id))
        for member in members:
            services.rating_submit(
                week=week,
                user=member,
                value=Decimal(rng.randint(4, 10)) / 2,
                favorite_track=rng.choice(tracks) if tracks else None,
                review=rng.choice(["Grew on me.", "Not my thing.", "An instant favourite.", "Great production."]),
                now=week.discussion_at,
            )
    now = timezone.now()
    current = WeekFactory(
        label=f"DEMO WEEK {PAST_WEEKS + 1:03d} [{(now + 3 * day):%Y-%m-%d}]",
        week_number=PAST_WEEKS + 1,
        nominations_close_at=now + day,
        poll_close_at=now + 2 * day,
        discussion_at=now + 3 * day,
    )
    for member, album in zip(members[:2], rng.sample(albums, 2), strict=False):
        services.nomination_create(week=current, user=member, album=album, pitch="Nominated for the demo.")

    # Listening history: each member plays two albums, sharing one with the next member (so that there are
    # compatible members and albums to recommend); imported through the COPY importer.
    catalog = list(Track.objects.select_related("album__artist").filter(album__in=albums))
    listens = 0
    for position, member in enumerate(members):
        favourites = [
            t for t in catalog if t.album_id in {albums[position].pk, albums[(position + 1) % len(albums)].pk}
        ]
        rows = []
        for n in range(LISTENS_PER_MEMBER):
            track = rng.choice(favourites or catalog)
            played = now - datetime.timedelta(hours=n * 3, minutes=rng.randint(0, 59))
            rows.append(
                ListenRow(
                    listened_at=int(played.timestamp()),
                    artist=track.artist_credit or track.album.artist.name,
                    title=track.title,
                    album=track.album.title,
                    recording_mbid=track.mbid,
                    metadata={"submission_client": "demo"},
                )
            )
        listens += ListenImporter(user=member, source="listenbrainz").run(rows).imported
    taste.taste_compute(user_ids=[m.pk for m in members])
    for member in members:
        taste.compatibility_compute(user=member)
    for member in members:
        taste.recommendations_compute(user=member)
    for follower, followee in zip(members, members[1:] + members[:1], strict=False):
        Follow.objects.get_or_create(follower=follower, followee=followee)
    if members:
        LinkedAccount.objects.get_or_create(
            provider="listenbrainz", provider_user_id=members[0].username, defaults={"user": members[0]}
        )
    stdout.write(f"club: {PAST_WEEKS + 1} weeks for {len(members)} members, {listens} listens")
