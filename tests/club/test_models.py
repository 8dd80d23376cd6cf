"""Row invariants of the club models, checked by full_clean() and by the database."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from club.choices import WeekPhase
from club.models import LinkedAccount
from core.testing import assert_stored_and_valid
from tests.catalog.factories import TrackFactory
from tests.club import factories as f
from tests.core.factories import UserFactory

ALL_FACTORIES = [
    f.LinkedAccountFactory,
    f.WeekFactory,
    f.NominationFactory,
    f.VoteFactory,
    f.RatingFactory,
    f.ListenEventFactory,
    f.TasteProfileFactory,
    f.FollowFactory,
    f.CompatibilityFactory,
    f.UserRecommendationFactory,
]


@pytest.mark.django_db
@pytest.mark.parametrize("factory", ALL_FACTORIES, ids=lambda factory: factory.__name__)
def test_factory_defaults_pass_full_clean(factory):
    assert_stored_and_valid(factory())


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["1.0", "1.5", "3.0", "4.5", "5.0"])
def test_rating_accepts_half_steps(value):
    rating = f.RatingFactory.build(value=Decimal(value))
    try:
        rating.clean_fields(exclude=["week", "user", "album"])
        rating.validate_constraints(exclude=["week", "user", "album"])
    except ValidationError as error:
        pytest.fail(f"{value} is refused: {error.message_dict}")
    assert rating.value == Decimal(value)


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["0.5", "5.5", "3.3", "0.0"])
def test_rating_rejects_values_off_the_half_step_scale_in_validation_and_database(value):
    rating = f.RatingFactory(value=Decimal("3.0"))
    rating.value = Decimal(value)
    with pytest.raises(ValidationError, match="half steps"):
        rating.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        rating.save()


@pytest.mark.django_db
def test_rating_favourite_track_must_belong_to_the_album():
    rating = f.RatingFactory()
    rating.favorite_track = TrackFactory()
    with pytest.raises(ValidationError) as error:
        rating.full_clean()
    assert "favorite_track" in error.value.message_dict
    rating.favorite_track = TrackFactory(album=rating.album)
    rating.full_clean()


@pytest.mark.django_db
def test_week_dates_must_be_in_order():
    week = f.WeekFactory.build()
    week.discussion_at = week.nominations_close_at
    with pytest.raises(ValidationError) as error:
        week.full_clean()
    assert "discussion_at" in error.value.message_dict


def test_week_phase_follows_the_dates():
    week = f.WeekFactory.build()
    assert week.phase_at(week.nominations_close_at.replace(year=2000)) == WeekPhase.NOMINATIONS
    assert week.phase_at(week.nominations_close_at) == WeekPhase.POLL
    assert week.phase_at(week.poll_close_at) == WeekPhase.WINNER
    assert week.phase_at(week.discussion_at) == WeekPhase.RATINGS


@pytest.mark.django_db
def test_vote_nomination_must_be_of_the_votes_week():
    vote = f.VoteFactory()
    vote.nomination = f.NominationFactory(week__poll=True)
    with pytest.raises(ValidationError) as error:
        vote.full_clean()
    assert "nomination" in error.value.message_dict


@pytest.mark.django_db
def test_follow_cannot_be_of_oneself_nor_twice():
    user = UserFactory()
    with pytest.raises(ValidationError, match="themselves"):
        f.FollowFactory.build(follower=user, followee=user).full_clean()
    follow = f.FollowFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        f.FollowFactory(follower=follow.follower, followee=follow.followee)


@pytest.mark.django_db
def test_compatibility_is_stored_once_per_unordered_pair():
    pair = f.CompatibilityFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        f.CompatibilityFactory(user_a=pair.user_b, user_b=pair.user_a)
    with pytest.raises(ValidationError, match="between 0 and 100"):
        f.CompatibilityFactory.build(score=101).full_clean()


@pytest.mark.django_db
def test_same_listen_is_stored_once():
    listen = f.ListenEventFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        f.ListenEventFactory(user=listen.user, track=listen.track, played_at=listen.played_at)


@pytest.mark.django_db
def test_listens_are_not_written_twice_on_insert_but_their_changes_are_audited():
    from pghistory.models import Events

    listen = f.ListenEventFactory()
    assert not Events.objects.tracks(listen).exists()
    listen.source = "manual"
    listen.save()
    assert [event.pgh_label for event in Events.objects.tracks(listen)] == ["update"]


@pytest.mark.django_db
def test_provider_tokens_are_encrypted_at_rest_and_kept_out_of_history():
    from pghistory.models import Events

    account = f.LinkedAccountFactory(access_token="secret-access", refresh_token="secret-refresh")
    with connection.cursor() as cursor:
        cursor.execute("select access_token, refresh_token from club_linkedaccount where id = %s", [account.pk])
        stored = cursor.fetchone()
    assert "secret" not in "".join(stored)
    assert LinkedAccount.objects.get(pk=account.pk).access_token == "secret-access"
    assert all("access_token" not in event.pgh_data for event in Events.objects.tracks(account))
    assert "secret" not in str(account) and "secret" not in repr(account)


@pytest.mark.django_db
def test_provider_tokens_survive_key_rotation(settings):
    from django.core.management import call_command

    account = f.LinkedAccountFactory(access_token="rotate-me")
    settings.SALT_KEY = ["new-salt", *settings.SALT_KEY]
    assert LinkedAccount.objects.get(pk=account.pk).access_token == "rotate-me"
    call_command("rotate_token_keys", verbosity=0)
    settings.SALT_KEY = ["new-salt"]
    assert LinkedAccount.objects.get(pk=account.pk).access_token == "rotate-me"
    settings.SALT_KEY = ["some-other-salt"]
    assert LinkedAccount.objects.get(pk=account.pk).access_token is None


@pytest.mark.django_db
def test_rotation_leaves_tokens_it_cannot_decrypt_as_they_are(settings):
    import io

    from django.core.management import call_command

    original = list(settings.SALT_KEY)
    lost = f.LinkedAccountFactory(access_token="old-key-token")
    settings.SALT_KEY = ["new-salt"]  # the old key removed too early
    readable = f.LinkedAccountFactory(access_token="new-key-token")
    err = io.StringIO()
    call_command("rotate_token_keys", stdout=io.StringIO(), stderr=err)
    assert str(lost.pk) in err.getvalue() and "old-key-token" not in err.getvalue()
    settings.SALT_KEY = ["new-salt", *original]
    assert LinkedAccount.objects.get(pk=lost.pk).access_token == "old-key-token"
    assert LinkedAccount.objects.get(pk=readable.pk).access_token == "new-key-token"


def test_token_field_refuses_to_work_without_keys(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.SALT_KEY = []
    field = LinkedAccount._meta.get_field("access_token")
    with pytest.raises(ImproperlyConfigured, match="CLUB_TOKEN_KEYS"):
        field.get_prep_value("token")
