"""Serializers of the club API. Members act for themselves: ``user`` fields are the requesting user."""

from __future__ import annotations

from rest_framework import serializers

from catalog.api.serializers import AlbumBriefSerializer, TrackBriefSerializer
from catalog.models import Album, Track
from club.models import (
    Club,
    ClubMembership,
    Compatibility,
    Follow,
    LinkedAccount,
    ListenEvent,
    Nomination,
    Rating,
    TasteProfile,
    UserRecommendation,
    Vote,
    Week,
)
from core.api.serializers import (
    MEMBERSHIP_CANNOT_MOVE,
    ManagedGroupField,
    ScopedPrimaryKeyRelatedField,
    UserBriefSerializer,
    ValidatedModelSerializer,
)
from core.models import User


class ClubMateField(serializers.PrimaryKeyRelatedField):
    """An active member the requesting user shares a club with (``User.objects.visible_to``)."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return User.objects.none()
        return User.objects.filter(is_active=True).visible_to(request.user)


class ClubSerializer(ValidatedModelSerializer):
    class Meta:
        model = Club
        fields = ["id", "name", "slug", "created_at", "updated_at"]


class ClubBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Club
        fields = ["id", "name", "slug"]
        read_only_fields = fields


class ClubMembershipSerializer(ValidatedModelSerializer):
    """A member's role in a club; ``user_id`` and ``club_id`` are set on create and never move (a 400)."""

    user = UserBriefSerializer(read_only=True)
    club = ClubBriefSerializer(read_only=True)
    user_id = serializers.PrimaryKeyRelatedField(source="user", queryset=User.objects.all(), write_only=True)
    club_id = ManagedGroupField(source="club", queryset=Club.objects.all(), write_only=True)

    class Meta:
        model = ClubMembership
        fields = ["id", "role", "user", "club", "user_id", "club_id", "created_at", "updated_at"]

    def validate(self, attrs: dict) -> dict:
        if self.instance is not None:
            moved = {
                f"{name}_id": [MEMBERSHIP_CANNOT_MOVE]
                for name in ("club", "user")
                if name in attrs and attrs[name].pk != getattr(self.instance, f"{name}_id")
            }
            if moved:
                raise serializers.ValidationError(moved)
        return super().validate(attrs)


class WeekBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Week
        fields = ["id", "label", "week_number"]
        read_only_fields = fields


class RequestUserMixin:
    """Validation sees the requesting user in ``user_field`` (so one-per-user rules answer 400)."""

    user_field = "user"

    def prepare_instance(self, instance) -> None:
        if getattr(instance, f"{self.user_field}_id") is None:
            setattr(instance, self.user_field, self.context["request"].user)


class LinkedAccountSerializer(RequestUserMixin, ValidatedModelSerializer):
    """Tokens are write-only: responses only say whether one is stored."""

    user = UserBriefSerializer(read_only=True)
    access_token = serializers.CharField(write_only=True, required=False, allow_blank=True, allow_null=True)
    refresh_token = serializers.CharField(write_only=True, required=False, allow_blank=True, allow_null=True)
    has_access_token = serializers.SerializerMethodField()

    class Meta:
        model = LinkedAccount
        fields = [
            "id",
            "provider",
            "provider_user_id",
            "display_name",
            "access_token",
            "refresh_token",
            "token_expires_at",
            "has_access_token",
            "user",
            "created_at",
            "updated_at",
        ]

    def get_has_access_token(self, obj) -> bool:
        return obj.access_token is not None


class WeekSerializer(ValidatedModelSerializer):
    phase = serializers.SerializerMethodField()
    winner_album = AlbumBriefSerializer(read_only=True, allow_null=True)
    winner_album_id = serializers.PrimaryKeyRelatedField(
        source="winner_album",
        queryset=Album.objects.all(),
        write_only=True,
        required=False,
        allow_null=True,
    )

    class Meta:
        model = Week
        fields = [
            "id",
            "club",
            "label",
            "week_number",
            "phase",
            "nominations_close_at",
            "poll_close_at",
            "discussion_at",
            "is_self_vote_allowed",
            "nominations_thread_id",
            "poll_thread_id",
            "winner_thread_id",
            "ratings_thread_id",
            "winner_album",
            "winner_album_id",
            "created_at",
            "updated_at",
        ]

    def get_phase(self, obj) -> str:
        return obj.phase.value


class NominationSerializer(RequestUserMixin, ValidatedModelSerializer):
    user = UserBriefSerializer(read_only=True)
    album = AlbumBriefSerializer(read_only=True)
    album_id = serializers.PrimaryKeyRelatedField(source="album", queryset=Album.objects.all(), write_only=True)

    class Meta:
        model = Nomination
        fields = [
            "id",
            "week",
            "pitch",
            "pitch_track_url",
            "genre",
            "decade",
            "country",
            "user",
            "album",
            "album_id",
            "created_at",
            "updated_at",
        ]


class VoteSerializer(serializers.ModelSerializer):
    """Write ``nomination`` and ``rank``; the week and the voter follow.

    Not a ``ValidatedModelSerializer``: casting or changing a vote replaces the member's vote it would collide
    with (``vote_cast``, ``vote_update``), so the service checks the row after that replacement, not the
    serializer against the votes about to be replaced.
    """

    user = UserBriefSerializer(read_only=True)
    nomination = ScopedPrimaryKeyRelatedField(queryset=Nomination.objects.all())

    class Meta:
        model = Vote
        fields = ["id", "rank", "week", "nomination", "user", "created_at", "updated_at"]
        read_only_fields = ["week"]


class RatingSerializer(RequestUserMixin, ValidatedModelSerializer):
    """Write ``week``, ``value``, ``favorite_track`` and ``review``; the album is the week's winner."""

    user = UserBriefSerializer(read_only=True)
    album = AlbumBriefSerializer(read_only=True)

    class Meta:
        model = Rating
        fields = ["id", "value", "review", "week", "favorite_track", "user", "album", "created_at", "updated_at"]


class ListenEventSerializer(serializers.ModelSerializer):
    user = UserBriefSerializer(read_only=True)
    track = TrackBriefSerializer(read_only=True)

    class Meta:
        model = ListenEvent
        fields = ["id", "played_at", "source", "metadata", "user", "track", "created_at", "updated_at"]
        read_only_fields = fields


class TasteProfileSerializer(serializers.ModelSerializer):
    user = UserBriefSerializer(read_only=True)

    class Meta:
        model = TasteProfile
        fields = [
            "id",
            "scope",
            "listen_count",
            "genre_histogram",
            "feature_means",
            "time_of_day_histogram",
            "top_artists",
            "last_computed_at",
            "user",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class FollowSerializer(RequestUserMixin, ValidatedModelSerializer):
    user_field = "follower"
    follower = UserBriefSerializer(read_only=True)
    followee = UserBriefSerializer(read_only=True)
    followee_id = ClubMateField(source="followee", write_only=True)

    class Meta:
        model = Follow
        fields = ["id", "follower", "followee", "followee_id", "created_at", "updated_at"]


class CompatibilitySerializer(serializers.ModelSerializer):
    user_a = UserBriefSerializer(read_only=True)
    user_b = UserBriefSerializer(read_only=True)

    class Meta:
        model = Compatibility
        fields = ["id", "score", "details", "computed_at", "user_a", "user_b", "created_at", "updated_at"]
        read_only_fields = fields


class UserRecommendationSerializer(serializers.ModelSerializer):
    user = UserBriefSerializer(read_only=True)
    album = AlbumBriefSerializer(read_only=True)

    class Meta:
        model = UserRecommendation
        fields = ["id", "score", "reason", "user", "album", "created_at", "updated_at"]
        read_only_fields = fields


class MemberSettingsSerializer(serializers.Serializer):
    """A member's settings (``MemberSettings``); the time zone is checked by the model (``validate_time_zone``)."""

    time_zone = serializers.CharField(max_length=64)


class ListenCorrectionSerializer(serializers.Serializer):
    """The track a listen is corrected to."""

    track = serializers.PrimaryKeyRelatedField(queryset=Track.objects.all())
