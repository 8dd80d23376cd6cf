"""The album club: weeks, nominations, ranked votes and ratings; linked accounts and listening history;
taste profiles, follows, pairwise compatibility and album recommendations.

Albums and tracks come from ``catalog``. Row invariants are database constraints (with messages the
API turns into 400s, or 409s when a concurrent request loses the race); rules that need the clock or
other rows live in ``club.services``. One module per concern, re-exported here.
"""

from club.models.accounts import LinkedAccount, MemberSettings
from club.models.listening import ListenDay, ListenEvent, ListenEventQuerySet, ListenSlot, NowPlaying
from club.models.querysets import ClubRowQuerySet, CompatibilityQuerySet, MemberRowQuerySet, PersonalRowQuerySet
from club.models.social import Compatibility, Follow, TasteProfile, UserRecommendation
from club.models.weeks import Club, ClubMembership, Nomination, Rating, RatingQuerySet, Vote, Week, WeekQuerySet

__all__ = [
    "Club",
    "ClubMembership",
    "ClubRowQuerySet",
    "Compatibility",
    "CompatibilityQuerySet",
    "Follow",
    "LinkedAccount",
    "ListenDay",
    "ListenEvent",
    "ListenEventQuerySet",
    "ListenSlot",
    "MemberRowQuerySet",
    "MemberSettings",
    "Nomination",
    "NowPlaying",
    "PersonalRowQuerySet",
    "Rating",
    "RatingQuerySet",
    "TasteProfile",
    "UserRecommendation",
    "Vote",
    "Week",
    "WeekQuerySet",
]
