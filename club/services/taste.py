"""Taste profiles, pairwise compatibility and album recommendations.

Taste profiles are computed in one SQL statement over the listens (nothing is loaded into Python),
for one user or for everyone at once.

Compatibility of two members, 0-100 (deterministic; the pair's details are stored with it)::

    score = 100 * (0.35 * J_artists + 0.35 * J_albums + 0.30 * taste_similarity)

- ``J_artists``: Jaccard index of the two members' top artists (``TasteProfile.top_artists``, top 25).
- ``J_albums``: Jaccard index of the sets of albums each has played at least once.
- ``taste_similarity``: the mean of ``1 - feature_distance`` (mean absolute difference of the feature
  means both have, tempo scaled by 1/250 so every feature lies in 0-1) and the cosine similarity of
  the genre histograms; if one part is unknown the other counts alone, if both are, it is 0.

Recommendations for a member: albums that their most compatible members (up to 20, score > 0) rated
3.5 or more in the club or played at least 3 times, and that the member has neither played nor rated.
Each neighbour contributes ``compatibility/100 * (0.6 * (rating - 1) / 4 + 0.4 * min(1, ln(1 + plays) /
ln(51)))``; the album's score is the sum, and the reason names who rated or played it.
"""

from __future__ import annotations

import math
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from club.constants import RECOMMENDATION_NEIGHBOURS, RECOMMENDATIONS_PER_USER, TASTE_FEATURES
from club.models import Compatibility, TasteProfile, UserRecommendation

TOP_ARTISTS = 25
WEIGHTS = {"artists": 0.35, "albums": 0.35, "taste": 0.30}
TEMPO_SCALE = 250.0

_FEATURES_SQL = ", ".join(f"'{name}', round(avg(f.{name})::numeric, 4)" for name in TASTE_FEATURES)

TASTE_SQL = f"""
WITH target AS (
    SELECT DISTINCT user_id FROM (
        SELECT user_id FROM club_listenevent WHERE %(all)s
        UNION ALL SELECT user_id FROM club_tasteprofile WHERE %(all)s AND scope = 'all_time'
        UNION ALL SELECT unnest(%(ids)s::uuid[])
    ) candidates
),
counts AS (
    SELECT l.user_id, count(*) AS n FROM club_listenevent l JOIN target USING (user_id) GROUP BY l.user_id
),
genres AS (
    SELECT user_id, jsonb_object_agg(name, share ORDER BY share DESC) AS histogram FROM (
        SELECT l.user_id, g.name, round(count(*)::numeric / max(c.n), 4) AS share
        FROM club_listenevent l
        JOIN counts c USING (user_id)
        JOIN catalog_track tr ON tr.id = l.track_id
        JOIN catalog_album_genres ag ON ag.album_id = tr.album_id
        JOIN catalog_genre g ON g.id = ag.genre_id
        GROUP BY l.user_id, g.name
    ) shares GROUP BY user_id
),
features AS (
    SELECT l.user_id, jsonb_strip_nulls(jsonb_build_object({_FEATURES_SQL})) AS means
    FROM club_listenevent l JOIN target USING (user_id)
    JOIN catalog_trackfeatures f ON f.track_id = l.track_id
    GROUP BY l.user_id
),
hours AS (
    SELECT c.user_id, jsonb_agg(coalesce(x.n, 0) ORDER BY h.hour) AS histogram
    FROM counts c
    CROSS JOIN generate_series(0, 23) AS h(hour)
    LEFT JOIN (
        SELECT l.user_id, extract(hour FROM l.played_at AT TIME ZONE 'UTC')::int AS hour, count(*) AS n
        FROM club_listenevent l JOIN target USING (user_id) GROUP BY 1, 2
    ) x ON x.user_id = c.user_id AND x.hour = h.hour
    GROUP BY c.user_id
),
artists AS (
    SELECT user_id, jsonb_agg(jsonb_build_object('id', artist_id, 'name', name, 'listens', n)
                              ORDER BY n DESC, name, artist_id) AS top
    FROM (
        SELECT l.user_id, a.id AS artist_id, a.name, count(*) AS n,
               row_number() OVER (PARTITION BY l.user_id ORDER BY count(*) DESC, a.name, a.id) AS place
        FROM club_listenevent l JOIN target USING (user_id)
        JOIN catalog_track tr ON tr.id = l.track_id
        JOIN catalog_album al ON al.id = tr.album_id
        JOIN catalog_artist a ON a.id = al.artist_id
        GROUP BY l.user_id, a.id, a.name
    ) ranked WHERE place <= {TOP_ARTISTS} GROUP BY user_id
)
INSERT INTO club_tasteprofile (id, created_at, updated_at, user_id, scope, listen_count, genre_histogram,
                               feature_means, time_of_day_histogram, top_artists, last_computed_at)
SELECT gen_random_uuid(), now(), now(), t.user_id, 'all_time', coalesce(c.n, 0), coalesce(g.histogram, '{{}}'),
       coalesce(f.means, '{{}}'), coalesce(h.histogram, (SELECT jsonb_agg(0) FROM generate_series(0, 23))),
       coalesce(a.top, '[]'), now()
FROM target t
JOIN core_user u ON u.id = t.user_id
LEFT JOIN counts c USING (user_id)
LEFT JOIN genres g USING (user_id)
LEFT JOIN features f USING (user_id)
LEFT JOIN hours h USING (user_id)
LEFT JOIN artists a USING (user_id)
ON CONFLICT (user_id, scope) DO UPDATE SET
    updated_at = now(),
    listen_count = EXCLUDED.listen_count,
    genre_histogram = EXCLUDED.genre_histogram,
    feature_means = EXCLUDED.feature_means,
    time_of_day_histogram = EXCLUDED.time_of_day_histogram,
    top_artists = EXCLUDED.top_artists,
    last_computed_at = EXCLUDED.last_computed_at
"""


@transaction.atomic
def taste_compute(*, user_ids: list | None = None) -> int:
    """Compute the all-time taste profile of the given users (of everyone with listens when ``None``).

    Returns the number of profiles written.
    """
    with connection.cursor() as cursor:
        cursor.execute(TASTE_SQL, {"all": user_ids is None, "ids": [str(pk) for pk in user_ids or []]})
        return cursor.rowcount


def taste_profile_for(*, user) -> TasteProfile:
    """The user's all-time profile, computed first if it does not exist yet."""
    profile = TasteProfile.objects.filter(user=user, scope="all_time").first()
    if profile is None:
        taste_compute(user_ids=[user.pk])
        profile = TasteProfile.objects.get(user=user, scope="all_time")
    return profile


# Compatibility ---------------------------------------------------------------------------------

ALBUM_OVERLAP_SQL = """
WITH mine AS (
    SELECT DISTINCT tr.album_id FROM club_listenevent l JOIN catalog_track tr ON tr.id = l.track_id
    WHERE l.user_id = %(user)s
),
theirs AS (
    SELECT DISTINCT l.user_id, tr.album_id FROM club_listenevent l JOIN catalog_track tr ON tr.id = l.track_id
    WHERE l.user_id = ANY(%(others)s::uuid[])
)
SELECT t.user_id, count(m.album_id) AS shared, count(*) AS total, (SELECT count(*) FROM mine) AS mine,
       (array_agg(al.title ORDER BY al.title) FILTER (WHERE m.album_id IS NOT NULL))[1:5] AS titles
FROM theirs t LEFT JOIN mine m USING (album_id) JOIN catalog_album al ON al.id = t.album_id
GROUP BY t.user_id
"""


def _jaccard(shared: int, left: int, right: int) -> float:
    union = left + right - shared
    return shared / union if union else 0.0


def _feature_distance(left: dict, right: dict) -> float | None:
    common = [name for name in TASTE_FEATURES if left.get(name) is not None and right.get(name) is not None]
    if not common:
        return None
    total = 0.0
    for name in common:
        scale = TEMPO_SCALE if name == "tempo" else 1.0
        total += min(1.0, abs(float(left[name]) - float(right[name])) / scale)
    return total / len(common)


def _cosine(left: dict, right: dict) -> float | None:
    if not left or not right:
        return None
    dot = sum(float(value) * float(right.get(key, 0)) for key, value in left.items())
    norm = math.sqrt(sum(float(v) ** 2 for v in left.values())) * math.sqrt(sum(float(v) ** 2 for v in right.values()))
    return dot / norm if norm else None


def compatibility_score(mine: TasteProfile, theirs: TasteProfile, album_overlap: dict) -> tuple[float, dict]:
    """The documented formula (module docstring) for two profiles and their album overlap."""
    my_artists = {artist["id"]: artist["name"] for artist in mine.top_artists}
    their_artists = {artist["id"]: artist["name"] for artist in theirs.top_artists}
    shared_artist_ids = [pk for pk in my_artists if pk in their_artists]
    j_artists = _jaccard(len(shared_artist_ids), len(my_artists), len(their_artists))
    j_albums = _jaccard(album_overlap["shared"], album_overlap["mine"], album_overlap["total"])
    distance = _feature_distance(mine.feature_means, theirs.feature_means)
    cosine = _cosine(mine.genre_histogram, theirs.genre_histogram)
    parts = [part for part in [None if distance is None else 1 - distance, cosine] if part is not None]
    taste = sum(parts) / len(parts) if parts else 0.0
    score = 100 * (WEIGHTS["artists"] * j_artists + WEIGHTS["albums"] * j_albums + WEIGHTS["taste"] * taste)
    details = {
        "formula": "100 * (0.35 * artists_jaccard + 0.35 * albums_jaccard + 0.30 * taste_similarity)",
        "artists_jaccard": round(j_artists, 4),
        "albums_jaccard": round(j_albums, 4),
        "taste_similarity": round(taste, 4),
        "feature_distance": None if distance is None else round(distance, 4),
        "genre_cosine": None if cosine is None else round(cosine, 4),
        "shared_artists": [my_artists[pk] for pk in shared_artist_ids][:5],
        "shared_artist_count": len(shared_artist_ids),
        "shared_albums": album_overlap.get("titles") or [],
        "shared_album_count": album_overlap["shared"],
    }
    return round(max(0.0, min(100.0, score)), 2), details


@transaction.atomic
def compatibility_compute(*, user, others=None) -> list[Compatibility]:
    """Compute and store the compatibility of ``user`` with ``others`` (by default everyone with a profile who
    shares a club with them; compatibility exists only between members of a shared club)."""
    mine = taste_profile_for(user=user)
    club_mates = get_user_model().objects.sharing_data_with(user).values("pk")
    profiles = TasteProfile.objects.filter(scope="all_time", user_id__in=club_mates).exclude(user_id=user.pk)
    if others is not None:
        other_ids = [other.pk for other in others]
        missing = set(other_ids) - set(profiles.filter(user_id__in=other_ids).values_list("user_id", flat=True))
        if missing:
            taste_compute(user_ids=list(missing))
        profiles = profiles.filter(user_id__in=other_ids)
    profiles = list(profiles)
    with connection.cursor() as cursor:
        cursor.execute(ALBUM_OVERLAP_SQL, {"user": user.pk, "others": [str(p.user_id) for p in profiles]})
        overlaps = {
            row[0]: {"shared": row[1], "total": row[2], "mine": row[3], "titles": row[4]} for row in cursor.fetchall()
        }
    results = []
    for theirs in profiles:
        overlap = overlaps.get(theirs.user_id) or {"shared": 0, "total": 0, "mine": 0, "titles": []}
        score, details = compatibility_score(mine, theirs, overlap)
        user_a, user_b = sorted([user.pk, theirs.user_id], key=str)
        compatibility, _ = Compatibility.objects.update_or_create(
            user_a_id=user_a,
            user_b_id=user_b,
            defaults={"score": score, "details": details, "computed_at": timezone.now()},
        )
        results.append(compatibility)
    return results


def compatibility_between(*, user, other) -> Compatibility:
    """The stored compatibility of a pair, computed now (and stored) when missing."""
    user_a, user_b = sorted([user.pk, other.pk], key=str)
    found = Compatibility.objects.filter(user_a_id=user_a, user_b_id=user_b).first()
    return found or compatibility_compute(user=user, others=[other])[0]


# Recommendations -------------------------------------------------------------------------------

CANDIDATES_SQL = """
WITH neighbours AS (SELECT unnest(%(ids)s::uuid[]) AS user_id),
known AS (
    SELECT tr.album_id FROM club_listenevent l JOIN catalog_track tr ON tr.id = l.track_id WHERE l.user_id = %(user)s
    UNION SELECT album_id FROM club_rating WHERE user_id = %(user)s
),
plays AS (
    SELECT l.user_id, tr.album_id, count(*) AS plays
    FROM club_listenevent l JOIN neighbours USING (user_id) JOIN catalog_track tr ON tr.id = l.track_id
    GROUP BY 1, 2 HAVING count(*) >= 3
),
rates AS (
    SELECT r.user_id, r.album_id, max(r.value) AS value FROM club_rating r JOIN neighbours USING (user_id)
    WHERE r.value >= 3.5 GROUP BY 1, 2
)
SELECT coalesce(p.user_id, r.user_id), coalesce(p.album_id, r.album_id), coalesce(p.plays, 0), r.value
FROM plays p FULL JOIN rates r ON r.user_id = p.user_id AND r.album_id = p.album_id
WHERE coalesce(p.album_id, r.album_id) NOT IN (SELECT album_id FROM known)
"""


@transaction.atomic
def recommendations_compute(*, user) -> list[UserRecommendation]:
    """Replace ``user``'s recommendations with the best albums of their most compatible members."""
    User = get_user_model()
    club_mates = User.objects.sharing_data_with(user).values("pk")
    pairs = Compatibility.objects.filter(
        score__gt=0, user_a=user, user_b__in=club_mates
    ) | Compatibility.objects.filter(score__gt=0, user_b=user, user_a__in=club_mates)
    neighbours = {}
    for pair in pairs.order_by("-score")[:RECOMMENDATION_NEIGHBOURS]:
        neighbours[pair.user_b_id if pair.user_a_id == user.pk else pair.user_a_id] = pair.score
    names = {pk: str(u) for pk, u in User.objects.in_bulk(list(neighbours)).items()}
    scores: dict = defaultdict(float)
    reasons: dict = defaultdict(list)
    if neighbours:
        with connection.cursor() as cursor:
            cursor.execute(CANDIDATES_SQL, {"user": user.pk, "ids": [str(pk) for pk in neighbours]})
            rows = cursor.fetchall()
        for neighbour_id, album_id, plays, value in rows:
            weight = neighbours[neighbour_id] / 100
            rating_part = (float(value) - 1) / 4 if value is not None else 0.0
            play_part = min(1.0, math.log1p(plays) / math.log(51))
            scores[album_id] += weight * (0.6 * rating_part + 0.4 * play_part)
            said = []
            if value is not None:
                said.append(f"rated it {value}")
            if plays:
                said.append(f"played it {plays} times")
            reasons[album_id].append(
                (weight, f"{names[neighbour_id]} ({neighbours[neighbour_id]:.0f}% compatible) {' and '.join(said)}")
            )
    best = sorted(scores.items(), key=lambda item: (-item[1], str(item[0])))[:RECOMMENDATIONS_PER_USER]
    # Replace in place (race-safe: two computations at once leave one set, never a unique violation): drop the
    # albums no longer recommended, then insert or update the rest with ON CONFLICT (user, album) DO UPDATE.
    UserRecommendation.objects.filter(user=user).exclude(album_id__in=[album_id for album_id, _ in best]).delete()
    stored = UserRecommendation.objects.bulk_create(
        [
            UserRecommendation(
                user=user,
                album_id=album_id,
                score=round(score, 4),
                reason="Because "
                + "; ".join(text for _, text in sorted(reasons[album_id], key=lambda r: -r[0])[:3])
                + ".",
            )
            for album_id, score in sorted(best, key=lambda item: str(item[0]))
        ],
        update_conflicts=True,
        unique_fields=["user", "album"],
        update_fields=["score", "reason", "updated_at"],
    )
    return sorted(stored, key=lambda row: (-row.score, str(row.album_id)))
