"""Viewsets of the club API. Writes go through ``club.services``; these views stay thin."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from club import services
from club.api import serializers
from club.api.permissions import CanChangeWeeks, MemberOwnsRow
from club.filtersets import (
    ClubFilterSet,
    ClubMembershipFilterSet,
    CompatibilityFilterSet,
    FollowFilterSet,
    LinkedAccountFilterSet,
    ListenEventFilterSet,
    NominationFilterSet,
    RatingFilterSet,
    TasteProfileFilterSet,
    UserRecommendationFilterSet,
    VoteFilterSet,
    WeekFilterSet,
)
from club.models import (
    Club,
    ClubMembership,
    Compatibility,
    Follow,
    LinkedAccount,
    ListenEvent,
    MemberSettings,
    Nomination,
    Rating,
    TasteProfile,
    UserRecommendation,
    Vote,
    Week,
)
from club.services import listens, members, stats, taste
from core.api.pagination import CursorPagination
from core.api.permissions import ModelPermissionsOrReadOnly, ScopedRolePermission
from core.api.views import UUID_PATTERN, BaseModelViewSet, BaseReadOnlyModelViewSet, ValuesListMixin

STAT_KINDS = (
    "artists",
    "releases",
    "recordings",
    "listening-activity",
    "daily-activity",
    "new-artists",
    "artist-evolution",
    "genre-evolution",
)
STATS_PARAMETERS = [
    OpenApiParameter("range", str, enum=list(stats.RANGES), description="ListenBrainz's range (docs/domain-map.md)."),
    OpenApiParameter("from", str, description="First UTC day (YYYY-MM-DD), instead of a range."),
    OpenApiParameter("to", str, description="Last UTC day (YYYY-MM-DD), included."),
    OpenApiParameter("count", int, description="Rows of a top list (1-100, default 25)."),
    OpenApiParameter("offset", int, description="Rows of a top list to skip."),
    OpenApiParameter("step", str, enum=list(stats.STEPS), description="Bucket of activity and evolution charts."),
    OpenApiParameter("tz", str, description="IANA time zone of activity charts (default: the member's)."),
]


def _bounded_int(request, name: str, default: int, low: int, high: int) -> int:
    value = request.query_params.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ValidationError({name: [f"A whole number from {low} to {high}."]}) from None
    if not low <= number <= high:
        raise ValidationError({name: [f"A whole number from {low} to {high}."]})
    return number


def _year(value: str) -> int:
    if not value.isdigit() or len(value) != 4:
        raise ValidationError({"year": [stats.INVALID_YEAR]})
    return int(value)


def stats_response(request, *, kind: str, user_ids, tz) -> dict:
    """One statistic (``kind``, one of ``STAT_KINDS``; another is a 404) of ``user_ids`` over the request's range,
    read from the rollups."""
    if kind not in STAT_KINDS:
        raise NotFound(f"No statistic called {kind!r}: one of {', '.join(STAT_KINDS)}.")
    params = request.query_params
    window = stats.stats_window(range_=params.get("range") or None, from_=params.get("from"), to=params.get("to"))
    result = {
        "range": window.range,
        "from": window.start.isoformat() if window.start else None,
        "to": (window.end - datetime.timedelta(days=1)).isoformat() if window.end else None,
    }
    count = _bounded_int(request, "count", 25, 1, 100)
    step = params.get("step") or None
    if kind in stats.ENTITIES:
        offset = _bounded_int(request, "offset", 0, 0, 2**31)
        rows, total = stats.top_entities(user_ids=user_ids, window=window, entity=kind, count=count, offset=offset)
        return {**result, "total": total, "offset": offset, "results": rows}
    if kind == "listening-activity":
        return {
            **result,
            "time_zone": str(tz),
            "results": stats.listening_activity(user_ids=user_ids, window=window, step=step, tz=tz),
        }
    if kind == "daily-activity":
        return {
            **result,
            "time_zone": str(tz),
            "results": stats.daily_activity(user_ids=user_ids, window=window, tz=tz),
        }
    if kind == "new-artists":
        return {**result, "results": stats.new_artists(user_ids=user_ids, window=window, count=count)}
    evolution_kind = "genres" if kind == "genre-evolution" else "artists"
    return {**result, **stats.evolution(user_ids=user_ids, window=window, kind=evolution_kind, step=step, count=count)}


COMPUTE_FOR_OTHERS = "Members compute their own taste, compatibility and recommendations."
NO_SHARED_CLUB = "These members share no club."


class ClubViewSet(BaseModelViewSet):
    """Clubs the user belongs to; staff with the model permissions create them, and change the ones they own."""

    queryset = Club.objects.order_by("name")
    serializer_class = serializers.ClubSerializer
    permission_classes = [permissions.IsAuthenticated, ModelPermissionsOrReadOnly, ScopedRolePermission]
    filterset_class = ClubFilterSet
    ordering_fields = ["name", "created_at"]

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    @extend_schema(parameters=STATS_PARAMETERS, responses={200: dict})
    @action(detail=True, methods=["get"], url_path="stats/(?P<kind>[a-z0-9-]+)")
    def stats(self, request, pk=None, kind=None):
        """The club's statistics over a range (its current, active members' listens, from the rollups): top artists,
        releases, recordings, listening activity, the weekday x hour heatmap (``?tz=``, UTC by default), new
        artists, artist and genre evolution."""
        club = self.get_object()
        user_ids = stats.stats_members(viewer=request.user, club=club)
        tz = stats.time_zone(request.query_params.get("tz"))
        return Response({"club": str(club.pk), **stats_response(request, kind=kind, user_ids=user_ids, tz=tz)})

    @extend_schema(parameters=[STATS_PARAMETERS[-1]], responses={200: dict})
    @action(detail=True, methods=["get"], url_path="year/(?P<year>[0-9-]+)")
    def year(self, request, pk=None, year=None):
        """The club's year in review: totals, top lists, new artists, busiest month and day, peak hour."""
        club = self.get_object()
        user_ids = stats.stats_members(viewer=request.user, club=club)
        tz = stats.time_zone(request.query_params.get("tz"))
        return Response({"club": str(club.pk), **stats.year_in_review(user_ids=user_ids, year=_year(year), tz=tz)})


class ClubMembershipViewSet(BaseModelViewSet):
    """Members of the user's clubs; a club's owners (and superusers) add, change and remove them."""

    queryset = ClubMembership.objects.select_related("user", "club").order_by("club__name", "user__username")
    serializer_class = serializers.ClubMembershipSerializer
    permission_classes = [permissions.IsAuthenticated, ScopedRolePermission]
    filterset_class = ClubMembershipFilterSet
    ordering_fields = ["created_at", "role"]

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class LinkedAccountViewSet(BaseModelViewSet):
    """A member's own linked accounts (only they and superusers see them). Tokens are write-only."""

    queryset = LinkedAccount.objects.select_related("user").order_by("provider", "provider_user_id")
    serializer_class = serializers.LinkedAccountSerializer
    filterset_class = LinkedAccountFilterSet
    permission_classes = [permissions.IsAuthenticated, MemberOwnsRow]
    ordering_fields = ["provider", "created_at"]

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.linked_account_save(
            account=LinkedAccount(user=self.request.user, **serializer.validated_data)
        )

    def perform_update(self, serializer):
        account = serializer.instance
        for key, value in serializer.validated_data.items():
            setattr(account, key, value)
        serializer.instance = services.linked_account_save(account=account)


class WeekViewSet(BaseModelViewSet):
    """Weeks of the user's clubs; staff of the club edit them (usually in the admin). ``tally`` and
    ``rating-summary`` read the results."""

    queryset = Week.objects.select_related("winner_album").order_by("-week_number")
    serializer_class = serializers.WeekSerializer
    filterset_class = WeekFilterSet
    permission_classes = [permissions.IsAuthenticated, ModelPermissionsOrReadOnly, ScopedRolePermission]
    ordering_fields = ["week_number", "discussion_at", "created_at"]

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def tally(self, request, pk=None):
        """Each nomination's points (2 per 1st, 1 per 2nd choice), best first, ties broken as documented."""
        week = self.get_object()
        return Response(
            {"week": str(week.pk), "winner_album_id": week.winner_album_id, "results": services.week_tally(week=week)}
        )

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"], url_path="rating-summary")
    def rating_summary(self, request, pk=None):
        """Mean, median, distribution and count of the week's ratings."""
        return Response(services.week_rating_summary(week=self.get_object()))

    @extend_schema(request=None, responses={200: serializers.WeekSerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path="close-poll",
        permission_classes=[permissions.IsAuthenticated, CanChangeWeeks, ScopedRolePermission],
    )
    def close_poll(self, request, pk=None):
        """Close the poll after its deadline: the tally's leader becomes the winner album."""
        week = services.week_close_poll(week=self.get_object())
        return Response(self.get_serializer(week).data)


class NominationViewSet(BaseModelViewSet):
    """Members nominate one album per week while nominations are open, and change or withdraw their own."""

    queryset = Nomination.objects.select_related("user", "album").order_by("week_id", "created_at")
    serializer_class = serializers.NominationSerializer
    filterset_class = NominationFilterSet
    permission_classes = [permissions.IsAuthenticated, MemberOwnsRow]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.nomination_create(
            week=data.pop("week"), user=self.request.user, album=data.pop("album"), **data
        )

    def perform_update(self, serializer):
        serializer.instance = services.nomination_update(
            nomination=serializer.instance, data=dict(serializer.validated_data)
        )

    def perform_destroy(self, instance):
        services.nomination_delete(nomination=instance)


class VoteViewSet(BaseModelViewSet):
    """Ranked votes: a member's 1st and 2nd choice of a week. Casting a rank again replaces that vote."""

    queryset = Vote.objects.select_related("user").order_by("week_id", "user_id", "rank")
    serializer_class = serializers.VoteSerializer
    filterset_class = VoteFilterSet
    permission_classes = [permissions.IsAuthenticated, MemberOwnsRow]
    ordering_fields = ["created_at", "rank"]

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.vote_cast(
            user=self.request.user, nomination=data["nomination"], rank=data["rank"]
        )

    def perform_update(self, serializer):
        serializer.instance = services.vote_update(vote=serializer.instance, data=dict(serializer.validated_data))

    def perform_destroy(self, instance):
        services.vote_retract(vote=instance)


class RatingViewSet(BaseModelViewSet):
    """Members rate the week's winner once, from the discussion on."""

    queryset = Rating.objects.select_related("user", "album").order_by("week_id", "-created_at")
    serializer_class = serializers.RatingSerializer
    filterset_class = RatingFilterSet
    permission_classes = [permissions.IsAuthenticated, MemberOwnsRow]
    ordering_fields = ["created_at", "value"]

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.rating_submit(week=data.pop("week"), user=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("week", None)
        serializer.instance = services.rating_update(rating=serializer.instance, data=data)


class ListenEventViewSet(mixins.DestroyModelMixin, BaseReadOnlyModelViewSet):
    """Listening history. Listens come in through the importers and the ListenBrainz-compatible API (/1/); a member
    deletes their own listens and corrects their track (``correct``); the statistics follow."""

    queryset = ListenEvent.objects.select_related("user", "track").order_by("-played_at", "-id")
    serializer_class = serializers.ListenEventSerializer
    filterset_class = ListenEventFilterSet
    permission_classes = [permissions.IsAuthenticated, MemberOwnsRow]
    ordering_fields = ["played_at"]
    pagination_class = CursorPagination
    cursor_ordering = ("-played_at", "-id")

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    def perform_destroy(self, instance):
        listens.listen_delete(listen=instance, actor=self.request.user)

    @extend_schema(request=serializers.ListenCorrectionSerializer, responses={200: serializers.ListenEventSerializer})
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        """Point the listen at another track (the member's own listens only); the history keeps the old one."""
        listen = self.get_object()
        data = serializers.ListenCorrectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        listen = listens.listen_correct(listen=listen, actor=request.user, track=data.validated_data["track"])
        return Response(self.get_serializer(listen).data)


class TasteProfileViewSet(BaseReadOnlyModelViewSet):
    queryset = TasteProfile.objects.select_related("user").order_by("user__username", "scope")
    serializer_class = serializers.TasteProfileSerializer
    filterset_class = TasteProfileFilterSet
    ordering_fields = ["last_computed_at", "listen_count"]

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class FollowViewSet(
    ValuesListMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Members follow other members (once; never themselves) and unfollow."""

    queryset = Follow.objects.select_related("follower", "followee").order_by("-created_at")
    serializer_class = serializers.FollowSerializer
    filterset_class = FollowFilterSet
    permission_classes = [permissions.IsAuthenticated, MemberOwnsRow]
    owner_field = "follower"
    lookup_value_regex = UUID_PATTERN
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.follow_create(
            follower=self.request.user, followee=serializer.validated_data["followee"]
        )


class CompatibilityViewSet(BaseReadOnlyModelViewSet):
    queryset = Compatibility.objects.select_related("user_a", "user_b").order_by("-score")
    serializer_class = serializers.CompatibilitySerializer
    filterset_class = CompatibilityFilterSet
    ordering_fields = ["score", "computed_at"]

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class UserRecommendationViewSet(BaseReadOnlyModelViewSet):
    queryset = UserRecommendation.objects.select_related("user", "album").order_by("user_id", "-score")
    serializer_class = serializers.UserRecommendationSerializer
    filterset_class = UserRecommendationFilterSet
    ordering_fields = ["score"]

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class ClubUserViewSet(viewsets.GenericViewSet):
    """A member's taste, their compatibility with another member, and their recommendations.

    Visible for the member themselves, the members of a club they share, and superusers (another user is a
    404). Reads never write: a GET returns what was computed (404 when nothing has been); a POST computes
    (for oneself, or a pair one belongs to; superusers for anyone). The ``compute_*`` commands and the
    background task after new listens compute for everyone.
    """

    queryset = get_user_model().objects.filter(is_active=True)
    permission_classes = [permissions.IsAuthenticated]
    lookup_value_regex = UUID_PATTERN
    serializer_class = serializers.TasteProfileSerializer
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    @extend_schema(parameters=STATS_PARAMETERS, responses={200: dict})
    @action(detail=True, methods=["get"], url_path="stats/(?P<kind>[a-z0-9-]+)")
    def stats(self, request, pk=None, kind=None):
        """The member's statistics over a range, from the rollups: top artists, releases, recordings, listening
        activity and the weekday x hour heatmap (in the member's time zone, or ``?tz=``), new artists, artist
        and genre evolution."""
        user = self.get_object()
        tz = stats.member_time_zone(user, request.query_params.get("tz"))
        user_ids = stats.stats_members(viewer=request.user, user=user)
        return Response({"user": str(user.pk), **stats_response(request, kind=kind, user_ids=user_ids, tz=tz)})

    @extend_schema(parameters=[STATS_PARAMETERS[-1]], responses={200: dict})
    @action(detail=True, methods=["get"], url_path="year/(?P<year>[0-9-]+)")
    def year(self, request, pk=None, year=None):
        """The member's year in review: totals, top lists, new artists, busiest month and day, peak hour."""
        user = self.get_object()
        tz = stats.member_time_zone(user, request.query_params.get("tz"))
        user_ids = stats.stats_members(viewer=request.user, user=user)
        return Response({"user": str(user.pk), **stats.year_in_review(user_ids=user_ids, year=_year(year), tz=tz)})

    @extend_schema(methods=["GET"], request=None, responses={200: serializers.MemberSettingsSerializer})
    @extend_schema(
        methods=["PUT"],
        request=serializers.MemberSettingsSerializer,
        responses={200: serializers.MemberSettingsSerializer},
    )
    @action(detail=True, methods=["get", "put"], url_path="settings")
    def member_settings(self, request, pk=None):
        """The member's own settings (their time zone); only they (or a superuser) change them."""
        user = self.get_object()
        if request.method == "PUT":
            self.require_self(user)
            serializer = serializers.MemberSettingsSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            row = members.member_settings_save(user=user, time_zone=serializer.validated_data["time_zone"])
        else:
            row = MemberSettings.objects.filter(user=user).first() or MemberSettings(user=user)
        return Response(serializers.MemberSettingsSerializer(row).data)

    def require_self(self, *users) -> None:
        if not self.request.user.is_superuser and self.request.user.pk not in {user.pk for user in users}:
            raise PermissionDenied(COMPUTE_FOR_OTHERS)

    @extend_schema(methods=["GET"], request=None, responses={200: serializers.TasteProfileSerializer})
    @extend_schema(methods=["POST"], request=None, responses={200: serializers.TasteProfileSerializer})
    @action(detail=True, methods=["get", "post"])
    def taste(self, request, pk=None):
        """GET: the member's stored all-time taste profile (404 if never computed). POST: compute it now."""
        user = self.get_object()
        if request.method == "POST":
            self.require_self(user)
            profile = taste.taste_profile_for(user=user)
        else:
            profile = get_object_or_404(TasteProfile.objects.select_related("user"), user=user, scope="all_time")
        return Response(serializers.TasteProfileSerializer(profile).data)

    @extend_schema(methods=["GET"], request=None, responses={200: serializers.CompatibilitySerializer})
    @extend_schema(methods=["POST"], request=None, responses={200: serializers.CompatibilitySerializer})
    @action(detail=True, methods=["get", "post"], url_path=f"compatibility/(?P<other_id>{UUID_PATTERN})")
    def compatibility(self, request, pk=None, other_id=None):
        """Compatibility 0-100 of two members of a shared club, with the shared artists and albums behind it.

        GET: the stored score (404 if never computed). POST: compute it now (one of the pair, or a superuser).
        """
        user = self.get_object()
        other = get_object_or_404(self.get_queryset(), pk=other_id)
        if other.pk == user.pk:
            raise ValidationError({"other_id": ["A member is not compared with themselves."]})
        if not get_user_model().objects.visible_to(user).filter(pk=other.pk).exists():
            raise NotFound(NO_SHARED_CLUB)
        if request.method == "POST":
            self.require_self(user, other)
            row = taste.compatibility_between(user=user, other=other)
        else:
            low, high = sorted([user, other], key=lambda member: str(member.pk))
            row = get_object_or_404(Compatibility.objects.select_related("user_a", "user_b"), user_a=low, user_b=high)
        return Response(serializers.CompatibilitySerializer(row).data)

    @extend_schema(methods=["GET"], request=None, responses={200: serializers.UserRecommendationSerializer(many=True)})
    @extend_schema(methods=["POST"], request=None, responses={200: serializers.UserRecommendationSerializer(many=True)})
    @action(detail=True, methods=["get", "post"])
    def recommendations(self, request, pk=None):
        """Albums the member's most compatible members rated or played highly, best first, with reasons.

        GET: the stored list (empty if never computed). POST: compute it now (for oneself, or as a superuser).
        """
        user = self.get_object()
        if request.method == "POST":
            self.require_self(user)
            taste.recommendations_compute(user=user)
        rows = UserRecommendation.objects.filter(user=user).select_related("user", "album").order_by("-score")
        return Response(serializers.UserRecommendationSerializer(rows, many=True).data)
