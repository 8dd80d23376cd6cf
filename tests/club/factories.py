import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from club.choices import LinkedAccountProvider, ListenEventSource
from club.models import (
    Club,
    ClubMembership,
    Compatibility,
    Follow,
    LinkedAccount,
    ListenEvent,
    MemberSettings,
    Nomination,
    NowPlaying,
    Rating,
    TasteProfile,
    UserRecommendation,
    Vote,
    Week,
)
from core.choices import MembershipRole
from tests.catalog.factories import AlbumFactory, TrackFactory
from tests.core.factories import UserFactory

DAY = datetime.timedelta(days=1)


DEFAULT_CLUB_SLUG = "album-club"


class ClubFactory(DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Club {n}")
    slug = factory.Sequence(lambda n: f"club-{n}")

    class Meta:
        model = Club
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True


class ClubMembershipFactory(DjangoModelFactory):
    user = factory.SubFactory(UserFactory)
    club = factory.SubFactory(ClubFactory, slug=DEFAULT_CLUB_SLUG, name="Album club")
    role = MembershipRole.MEMBER

    class Meta:
        model = ClubMembership
        django_get_or_create = ("user", "club")
        skip_postgeneration_save = True


def default_club() -> Club:
    """The club every factory-made week belongs to unless told otherwise."""
    return ClubFactory(slug=DEFAULT_CLUB_SLUG, name="Album club")


def join_club(user, club=None) -> None:
    """Make ``user`` a member of ``club`` (the default club): club rows are visible to members only."""
    ClubMembershipFactory(user=user, club=club or default_club())


class MemberFactory(UserFactory):
    """A user who is a member of the default club."""

    member = factory.PostGeneration(lambda obj, create, extracted, **kwargs: create and join_club(obj))

    class Meta:
        model = UserFactory._meta.model
        django_get_or_create = ("username",)
        skip_postgeneration_save = True


def _member_of_week_club(obj, create, extracted, **kwargs):
    if create:
        join_club(obj.user, obj.week.club)


def _member_of_default_club(field="user"):
    def hook(obj, create, extracted, **kwargs):
        if create:
            join_club(getattr(obj, field))

    return factory.PostGeneration(hook)


class LinkedAccountFactory(DjangoModelFactory):
    member = _member_of_default_club()
    user = factory.SubFactory(UserFactory)
    provider = LinkedAccountProvider.LISTENBRAINZ
    provider_user_id = factory.Sequence(lambda n: f"member{n}")
    display_name = factory.LazyAttribute(lambda o: o.provider_user_id)

    class Meta:
        model = LinkedAccount
        skip_postgeneration_save = True


class WeekFactory(DjangoModelFactory):
    """A week with nominations open (deadline tomorrow); traits move it to later phases."""

    club = factory.SubFactory(ClubFactory, slug=DEFAULT_CLUB_SLUG, name="Album club")
    label = factory.LazyAttribute(lambda o: f"WEEK {o.week_number:03d} [{o.discussion_at:%Y-%m-%d}]")
    week_number = factory.Sequence(lambda n: n + 1)
    nominations_close_at = factory.LazyFunction(lambda: timezone.now() + DAY)
    poll_close_at = factory.LazyAttribute(lambda o: o.nominations_close_at + DAY)
    discussion_at = factory.LazyAttribute(lambda o: o.poll_close_at + DAY)

    class Meta:
        model = Week
        skip_postgeneration_save = True

    class Params:
        poll = factory.Trait(
            nominations_close_at=factory.LazyFunction(lambda: timezone.now() - DAY),
            poll_close_at=factory.LazyFunction(lambda: timezone.now() + DAY),
        )
        winner = factory.Trait(
            nominations_close_at=factory.LazyFunction(lambda: timezone.now() - 2 * DAY),
            poll_close_at=factory.LazyFunction(lambda: timezone.now() - DAY),
            discussion_at=factory.LazyFunction(lambda: timezone.now() + DAY),
        )
        ratings = factory.Trait(
            nominations_close_at=factory.LazyFunction(lambda: timezone.now() - 3 * DAY),
            poll_close_at=factory.LazyFunction(lambda: timezone.now() - 2 * DAY),
            discussion_at=factory.LazyFunction(lambda: timezone.now() - DAY),
            winner_album=factory.SubFactory(AlbumFactory),
        )


class NominationFactory(DjangoModelFactory):
    member = factory.PostGeneration(_member_of_week_club)
    week = factory.SubFactory(WeekFactory)
    user = factory.SubFactory(UserFactory)
    album = factory.SubFactory(AlbumFactory)
    pitch = factory.Faker("sentence")
    genre = "Shoegaze"
    decade = "1990s"

    class Meta:
        model = Nomination
        skip_postgeneration_save = True


class VoteFactory(DjangoModelFactory):
    member = factory.PostGeneration(_member_of_week_club)
    nomination = factory.SubFactory(NominationFactory, week__poll=True)
    week = factory.SelfAttribute("nomination.week")
    user = factory.SubFactory(UserFactory)
    rank = 1

    class Meta:
        model = Vote
        skip_postgeneration_save = True


class RatingFactory(DjangoModelFactory):
    member = factory.PostGeneration(_member_of_week_club)
    week = factory.SubFactory(WeekFactory, ratings=True)
    user = factory.SubFactory(UserFactory)
    album = factory.SelfAttribute("week.winner_album")
    value = Decimal("4.0")
    review = factory.Faker("sentence")

    class Meta:
        model = Rating
        skip_postgeneration_save = True


class ListenEventFactory(DjangoModelFactory):
    member = _member_of_default_club()
    user = factory.SubFactory(UserFactory)
    track = factory.SubFactory(TrackFactory)
    played_at = factory.Sequence(lambda n: timezone.now() - datetime.timedelta(minutes=5 * n + 5))
    source = ListenEventSource.LISTENBRAINZ

    class Meta:
        model = ListenEvent
        skip_postgeneration_save = True


class TasteProfileFactory(DjangoModelFactory):
    member = _member_of_default_club()
    user = factory.SubFactory(UserFactory)
    scope = "all_time"
    listen_count = 3
    genre_histogram = factory.LazyFunction(lambda: {"Shoegaze": 0.75, "Dream pop": 0.25})
    feature_means = factory.LazyFunction(lambda: {"energy": 0.5, "valence": 0.4})
    time_of_day_histogram = factory.LazyFunction(lambda: [0] * 23 + [3])
    last_computed_at = factory.LazyFunction(timezone.now)

    class Meta:
        model = TasteProfile
        skip_postgeneration_save = True


class FollowFactory(DjangoModelFactory):
    member = _member_of_default_club("follower")
    followee_member = _member_of_default_club("followee")
    follower = factory.SubFactory(UserFactory)
    followee = factory.SubFactory(UserFactory)

    class Meta:
        model = Follow
        skip_postgeneration_save = True


def _ordered_pair(o):
    return sorted([o.first, o.second], key=lambda user: str(user.pk))


class CompatibilityFactory(DjangoModelFactory):
    member_a = _member_of_default_club("user_a")
    member_b = _member_of_default_club("user_b")
    user_a = factory.LazyAttribute(lambda o: _ordered_pair(o)[0])
    user_b = factory.LazyAttribute(lambda o: _ordered_pair(o)[1])
    score = 64.5
    details = factory.LazyFunction(lambda: {"shared_artists": ["Slowdive"]})

    class Meta:
        model = Compatibility
        skip_postgeneration_save = True

    class Params:
        first = factory.SubFactory(UserFactory)
        second = factory.SubFactory(UserFactory)


class UserRecommendationFactory(DjangoModelFactory):
    member = _member_of_default_club()
    user = factory.SubFactory(UserFactory)
    album = factory.SubFactory(AlbumFactory)
    score = 0.8
    reason = "Because bob (80% compatible) rated it 4.5."

    class Meta:
        model = UserRecommendation
        skip_postgeneration_save = True


class NowPlayingFactory(DjangoModelFactory):
    member = _member_of_default_club()
    user = factory.SubFactory(UserFactory)
    track_metadata = factory.LazyFunction(lambda: {"artist_name": "Slowdive", "track_name": "Alison"})
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(minutes=5))

    class Meta:
        model = NowPlaying
        skip_postgeneration_save = True


class MemberSettingsFactory(DjangoModelFactory):
    member = _member_of_default_club()
    user = factory.SubFactory(UserFactory)
    time_zone = "Europe/Paris"

    class Meta:
        model = MemberSettings
        skip_postgeneration_save = True
