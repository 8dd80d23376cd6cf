"""The club's demo data is built through the club rules and can be loaded twice."""

import io

import pytest

from club.models import ListenEvent, Rating, TasteProfile, UserRecommendation, Week

pytestmark = pytest.mark.django_db


def test_demo_seed_builds_a_club_and_is_idempotent():
    from club import demo
    from core import demo as core_demo

    core_demo.seed(io.StringIO())
    out = io.StringIO()
    demo.seed(out)
    assert "4 members" in out.getvalue()
    weeks = Week.objects.order_by("week_number")
    assert weeks.count() == demo.PAST_WEEKS + 1
    assert all(week.winner_album_id for week in weeks[: demo.PAST_WEEKS])
    assert Rating.objects.count() == demo.PAST_WEEKS * 4
    assert ListenEvent.objects.count() == 4 * demo.LISTENS_PER_MEMBER
    assert TasteProfile.objects.count() == 4
    assert UserRecommendation.objects.exists()
    demo.seed(out)
    assert "already present" in out.getvalue()
    assert Week.objects.count() == demo.PAST_WEEKS + 1
