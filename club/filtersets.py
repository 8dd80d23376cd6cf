"""Filters of the club API: by week, user, album, provider and date range."""

import django_filters
from django.db.models import Q

from club.choices import LinkedAccountProvider, ListenEventSource, VoteRank
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
from core.choices import MembershipRole
from core.filtersets import FilterSet, IdInFilter, SearchFilterSet


class CreatedRangeMixin(FilterSet):
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")


class ClubFilterSet(CreatedRangeMixin, SearchFilterSet):
    search_fields = ("name", "slug")

    class Meta:
        model = Club
        fields = {"slug": ["exact"], "name": ["exact", "icontains"]}


class ClubMembershipFilterSet(CreatedRangeMixin, SearchFilterSet):
    club_id = IdInFilter(field_name="club_id")
    club = django_filters.BaseInFilter(field_name="club__slug", label="Club slugs (comma-separated)")
    user_id = IdInFilter(field_name="user_id")
    role = django_filters.MultipleChoiceFilter(choices=MembershipRole.choices)

    search_fields = ("user__username", "club__name")

    class Meta:
        model = ClubMembership
        fields = ["club_id", "club", "user_id", "role"]


class LinkedAccountFilterSet(CreatedRangeMixin, SearchFilterSet):
    user_id = IdInFilter(field_name="user_id")
    provider = django_filters.MultipleChoiceFilter(choices=LinkedAccountProvider.choices)

    search_fields = ("provider_user_id", "display_name")

    class Meta:
        model = LinkedAccount
        fields = {"provider_user_id": ["exact"]}


class WeekFilterSet(CreatedRangeMixin, SearchFilterSet):
    club_id = IdInFilter(field_name="club_id")
    winner_album_id = IdInFilter(field_name="winner_album_id")
    discussion_after = django_filters.IsoDateTimeFilter(field_name="discussion_at", lookup_expr="gte")
    discussion_before = django_filters.IsoDateTimeFilter(field_name="discussion_at", lookup_expr="lt")
    has_winner = django_filters.BooleanFilter(field_name="winner_album", lookup_expr="isnull", exclude=True)

    search_fields = ("label",)

    class Meta:
        model = Week
        fields = {"week_number": ["exact", "gte", "lte"]}


class NominationFilterSet(CreatedRangeMixin, SearchFilterSet):
    week_id = IdInFilter(field_name="week_id")
    week_number = django_filters.NumberFilter(field_name="week__week_number")
    user_id = IdInFilter(field_name="user_id")
    album_id = IdInFilter(field_name="album_id")

    search_fields = ("album__title", "pitch")

    class Meta:
        model = Nomination
        fields = {"genre": ["exact", "icontains"], "decade": ["exact"], "country": ["exact"]}


class VoteFilterSet(CreatedRangeMixin):
    week_id = IdInFilter(field_name="week_id")
    user_id = IdInFilter(field_name="user_id")
    nomination_id = IdInFilter(field_name="nomination_id")
    album_id = IdInFilter(field_name="nomination__album_id")
    rank = django_filters.MultipleChoiceFilter(choices=VoteRank.choices)

    class Meta:
        model = Vote
        fields = ["week_id", "user_id", "nomination_id", "album_id", "rank"]


class RatingFilterSet(CreatedRangeMixin, SearchFilterSet):
    week_id = IdInFilter(field_name="week_id")
    user_id = IdInFilter(field_name="user_id")
    album_id = IdInFilter(field_name="album_id")

    search_fields = ("review",)

    class Meta:
        model = Rating
        fields = {"value": ["exact", "gte", "lte"]}


class ListenEventFilterSet(CreatedRangeMixin):
    user_id = IdInFilter(field_name="user_id")
    track_id = IdInFilter(field_name="track_id")
    album_id = IdInFilter(field_name="track__album_id")
    source = django_filters.MultipleChoiceFilter(choices=ListenEventSource.choices)
    played_after = django_filters.IsoDateTimeFilter(field_name="played_at", lookup_expr="gte")
    played_before = django_filters.IsoDateTimeFilter(field_name="played_at", lookup_expr="lt")

    class Meta:
        model = ListenEvent
        fields = ["user_id", "track_id", "album_id", "source", "played_after", "played_before"]


class TasteProfileFilterSet(CreatedRangeMixin):
    user_id = IdInFilter(field_name="user_id")

    class Meta:
        model = TasteProfile
        fields = {"scope": ["exact"]}


class FollowFilterSet(CreatedRangeMixin):
    follower_id = IdInFilter(field_name="follower_id")
    followee_id = IdInFilter(field_name="followee_id")

    class Meta:
        model = Follow
        fields = ["follower_id", "followee_id"]


class CompatibilityFilterSet(CreatedRangeMixin):
    user_id = IdInFilter(method="involving", label="Either user")
    min_score = django_filters.NumberFilter(field_name="score", lookup_expr="gte")

    class Meta:
        model = Compatibility
        fields = ["user_id", "min_score"]

    def involving(self, queryset, name, value):
        return queryset.filter(Q(user_a_id__in=value) | Q(user_b_id__in=value))


class UserRecommendationFilterSet(CreatedRangeMixin):
    user_id = IdInFilter(field_name="user_id")
    album_id = IdInFilter(field_name="album_id")
    min_score = django_filters.NumberFilter(field_name="score", lookup_expr="gte")

    class Meta:
        model = UserRecommendation
        fields = ["user_id", "album_id", "min_score"]
