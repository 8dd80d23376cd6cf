"""Existing weeks move into a default club; everyone who took part in the club (nominated, voted, rated,
listened, linked an account, has taste or recommendations, follows) becomes one of its members, so that
nothing they could see before disappears. Fresh databases get no club (seed_demo or staff create one)."""

from django.db import migrations

DEFAULT_CLUB = {"name": "Album club", "slug": "album-club"}

PARTICIPATION = [
    ("Nomination", "user_id"),
    ("Vote", "user_id"),
    ("Rating", "user_id"),
    ("ListenEvent", "user_id"),
    ("LinkedAccount", "user_id"),
    ("TasteProfile", "user_id"),
    ("UserRecommendation", "user_id"),
    ("NowPlaying", "user_id"),
    ("Follow", "follower_id"),
    ("Follow", "followee_id"),
]


def forwards(apps, schema_editor):
    Week = apps.get_model("club", "Week")
    Club = apps.get_model("club", "Club")
    ClubMembership = apps.get_model("club", "ClubMembership")
    user_ids = set()
    for model_name, column in PARTICIPATION:
        user_ids.update(apps.get_model("club", model_name).objects.values_list(column, flat=True).distinct())
    if not user_ids and not Week.objects.exists():
        return
    club, _ = Club.objects.get_or_create(slug=DEFAULT_CLUB["slug"], defaults={"name": DEFAULT_CLUB["name"]})
    Week.objects.filter(club__isnull=True).update(club=club)
    ClubMembership.objects.bulk_create(
        [ClubMembership(club=club, user_id=user_id, role="member") for user_id in user_ids],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("club", "0005_clubs")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
