"""A duplicate is one answer, whoever sees it: the same request gets the same status and body alone and in a burst.

A row that already exists may be seen by a serializer's unique validator or a model's ``full_clean`` (before the
insert) or by the database's unique index (at the insert, as the loser of a race sees it). Core maps all of them
once (``core.api.exceptions.duplicate``) to a 409 with the rule's message; a write that replaces what it collides
with (a member's vote) replaces a racing row too (``core.services.retry_after_conflict``).
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from club.models import Nomination, Vote
from core.api.exceptions import to_api_exception
from core.models import Tenant
from core.testing import run_concurrently
from tests.catalog.factories import AlbumFactory
from tests.club import factories as club
from tests.core.factories import MembershipFactory, TenantFactory

BURST = 12


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def answer(response) -> tuple[int, dict]:
    return response.status_code, response.json()


@pytest.mark.django_db(transaction=True)
def test_identical_nominations_alone_and_in_a_burst_get_one_201_and_the_same_409():
    week = club.WeekFactory()
    album = AlbumFactory()
    burst_user, alone_user = club.MemberFactory(), club.MemberFactory()

    def nominate(user, week=week):
        return client_for(user).post("/api/club/nominations/", {"week": str(week.pk), "album_id": str(album.pk)})

    responses = run_concurrently(*[lambda: nominate(burst_user) for _ in range(BURST)])
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * (BURST - 1), statuses
    refused = {str(answer(response)) for response in responses if response.status_code == 409}
    assert len(refused) == 1, refused  # one message for every loser, whichever check saw the duplicate
    assert Nomination.objects.filter(week=week, user=burst_user).count() == 1

    other_week = club.WeekFactory(club=week.club)
    assert nominate(alone_user, other_week).status_code == 201
    alone = nominate(alone_user, other_week)  # a duplicate that a serializer check sees before the insert
    assert str(answer(alone)) in refused
    assert alone.json()["message"] == "You have already nominated an album this week."
    assert Nomination.objects.filter(week=other_week).count() == 1


@pytest.mark.django_db(transaction=True)
def test_votes_alone_and_in_a_burst_all_get_201_and_leave_one_vote_per_rank():
    week = club.WeekFactory(poll=True)
    nomination = club.NominationFactory(week=week)
    voter = club.MemberFactory()
    body = {"nomination": str(nomination.pk), "rank": 1}

    responses = run_concurrently(*[lambda: client_for(voter).post("/api/club/votes/", body) for _ in range(BURST)])
    assert [response.status_code for response in responses] == [201] * BURST, [r.json() for r in responses]
    assert len({response.json()["id"] for response in responses}) == 1  # each answered with the one stored vote
    assert Vote.objects.filter(week=week, user=voter).count() == 1

    again = client_for(voter).post("/api/club/votes/", body)  # alone: a repeat replaces the vote with itself
    assert again.status_code == 201 and again.json()["id"] == responses[0].json()["id"]
    assert Vote.objects.filter(week=week, user=voter).count() == 1

    # Alone, a second first-place vote replaces the first; in a burst the losers replace the winner the same way.
    others = [club.NominationFactory(week=week) for _ in range(4)]
    responses = run_concurrently(
        *[
            lambda nomination=nomination: client_for(voter).post(
                "/api/club/votes/", {"nomination": str(nomination.pk), "rank": 1}
            )
            for nomination in others
        ]
    )
    assert [response.status_code for response in responses] == [201] * len(others)
    votes = Vote.objects.filter(week=week, user=voter)
    assert votes.count() == 1 and votes.get().nomination_id in {n.pk for n in others}


@pytest.mark.django_db
def test_a_duplicate_seen_by_model_validation_or_by_the_database_is_the_same_409(admin_api_client):
    membership = MembershipFactory()
    body = {"user_id": str(membership.user_id), "tenant_id": str(membership.tenant_id), "role": "member"}
    validated = admin_api_client.post("/api/core/memberships/", body, format="json")
    assert validated.status_code == 409
    assert "already a member" in validated.json()["message"]
    try:
        with transaction.atomic():
            type(membership).objects.create(user_id=membership.user_id, tenant_id=membership.tenant_id)
    except IntegrityError as error:
        raced = to_api_exception(error)
    assert raced.status_code == 409
    assert str(raced.detail) == validated.json()["message"]
    assert raced.errors == validated.json()["errors"]


@pytest.mark.django_db
def test_a_field_unique_index_names_its_field_and_django_message():
    tenant = TenantFactory()
    try:
        with transaction.atomic():
            Tenant.objects.create(name="Other", slug=tenant.slug)
    except IntegrityError as error:
        raced = to_api_exception(error)
    assert raced.status_code == 409
    assert raced.errors == [{"field": "slug", "message": str(raced.detail), "code": "unique"}]
    assert "already exists" in str(raced.detail)
