"""``storyteller.search.*``: what serves storyteller's ``q`` at 100,000 rows, and what the indexes cost.

Storyteller data is its owner's alone, so a member's ``q`` (``/api/storyteller/life-events/?q=``) runs inside
``visible_to(owner)``. Built once and kept between runs: 5 owners with 2 storytellers each, 100,000 life events
(20,000 per owner) and 100,000 participants, one per event (reached through the life event). Three set-ups are
measured in one run: what is shipped (``q`` matches the searched columns joined as one text, one trigram index
per table), no trigram index (the shipped ones dropped in a transaction that is rolled back), and one trigram
index per searched column with the search column by column (``core.search.contains_any``). Times are of
``count()`` and the first page of 50, as the API's page-number list runs them; a rare term is in 1 row in
2,000, a common one in about one in five.

* ``storyteller.search.owner_speedup_rare`` / ``..._common``, ``participants_speedup_rare`` (two joins from the
  owner), ``all_speedup_rare`` (a superuser, the admin's case): no index over shipped; above 1 the index helps.
* ``storyteller.search.owner_ratio_to_list``: the shipped search (the slower term) over the owner's list page.
* ``storyteller.search.write_cost`` / ``per_column_write_cost``: inserting 5,000 life events with the shipped
  index / with per-column indexes, over without any.
* ``storyteller.search.per_column_ratio_rare`` / ``..._common``: per-column indexes over shipped (search time).
"""

from __future__ import annotations

import random

from django.db import connection, transaction

OWNERS = 5
STORYTELLERS_PER_OWNER = 2
EVENTS = 100_000
WORDS = (
    "summer winter harbour school wedding army navy farm city letter garden kitchen station river market church "
    "mother father brother sister uncle teacher friend neighbour doctor captain baker miller tailor nurse"
).split()
NAMES = "Anna Ben Clara David Edith Frank Grace Henry Ida Jack Karl Lena Max Nora Otto Paula Rosa Sam Tom Vera".split()
RARE = "zephyrine"  # in 1 event in 2,000, and 1 participant in 2,000
COMMON = "harbour"  # in about one row in five


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(n // 2, n)))


@transaction.atomic
def ensure_data():
    from core.models import User
    from storyteller.models import LifeEvent, LifeEventParticipant, Storyteller

    owners = list(User.objects.filter(username__startswith="search-owner-").order_by("username"))
    if owners:
        return owners
    rng = random.Random(12)
    owners = [User.objects.create(username=f"search-owner-{n}") for n in range(OWNERS)]
    storytellers = Storyteller.objects.bulk_create(
        [
            Storyteller(user=owner, first_name=f"Teller {n}", last_name=owner.username)
            for owner in owners
            for n in range(STORYTELLERS_PER_OWNER)
        ]
    )
    events = LifeEvent.objects.bulk_create(
        [
            LifeEvent(
                storyteller=storytellers[n % len(storytellers)],
                event_name=f"{_sentence(rng, 4)} {RARE if n % 2000 == 7 else ''} {n}".strip(),
                description=_sentence(rng, 40),
                display_order=n,
            )
            for n in range(EVENTS)
        ],
        batch_size=5000,
    )
    LifeEventParticipant.objects.bulk_create(
        [
            LifeEventParticipant(
                life_event=event,
                first_name=rng.choice(NAMES),
                last_name=f"{rng.choice(WORDS).title()}{RARE if n % 2000 == 11 else ''}",
                nickname=rng.choice(NAMES).lower(),
                role_in_event=_sentence(rng, 6),
            )
            for n, event in enumerate(events)
        ],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        for table in ("storyteller_lifeevent", "storyteller_lifeeventparticipant", "storyteller_storyteller"):
            cursor.execute(f"ANALYZE {table}")
    return owners


def run(report, timed):
    from django.http import QueryDict

    from core.models import User
    from core.search import contains_any
    from storyteller.filtersets import FILTERSETS
    from storyteller.models import LifeEvent, LifeEventParticipant
    from storyteller.models.base import searched_columns

    owners = ensure_data()
    owner = owners[0]
    superuser = User(is_superuser=True, is_active=True)
    models = (LifeEvent, LifeEventParticipant)

    def page(model, user, term="", per_column=False):
        queryset = model.objects.visible_to(user)
        if term and per_column:
            queryset = queryset.filter(contains_any(model, searched_columns(model), term))
        elif term:
            queryset = FILTERSETS[model](QueryDict(f"q={term}"), queryset=queryset).qs
        return queryset.count(), list(queryset.values_list("pk", flat=True)[:50])

    def measure(per_column=False):
        assert {term: page(LifeEvent, owner, term, per_column)[0] for term in (RARE, COMMON)} == expected
        return {
            "list": timed(lambda: page(LifeEvent, owner), repeat=15),
            "rare": timed(lambda: page(LifeEvent, owner, RARE, per_column), repeat=15),
            "common": timed(lambda: page(LifeEvent, owner, COMMON, per_column), repeat=15),
            "participants": timed(lambda: page(LifeEventParticipant, owner, RARE, per_column), repeat=15),
            "all": timed(lambda: page(LifeEvent, superuser, RARE, per_column), repeat=15),
        }

    def insert():
        with transaction.atomic():
            storyteller = owner.storytellers.first()
            LifeEvent.objects.bulk_create(
                [
                    LifeEvent(storyteller=storyteller, event_name=f"Insert {n}", description=" ".join(WORDS[: n % 30]))
                    for n in range(5000)
                ]
            )
            transaction.set_rollback(True)

    def execute(*statements):
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
            for model in models:
                cursor.execute(f"ANALYZE {model._meta.db_table}")

    drop_shipped = [
        f"DROP INDEX {index.name}" for model in models for index in model._meta.indexes if index.name.endswith("_q")
    ]
    per_column = [
        f"CREATE INDEX bench_{model._meta.model_name[:20]}_{column}_trgm ON {model._meta.db_table} "
        f"USING gin (UPPER({column}) gin_trgm_ops)"
        for model in models
        for column in searched_columns(model)
    ]
    expected = {term: page(LifeEvent, owner, term)[0] for term in (RARE, COMMON)}
    shipped = measure()
    shipped["insert"] = timed(insert, repeat=5, warmup=1)
    with transaction.atomic():  # no trigram index: the shipped ones dropped for the measurement, then restored
        execute(*drop_shipped)
        scan = measure()
        scan["insert"] = timed(insert, repeat=5, warmup=1)
        transaction.set_rollback(True)
    with transaction.atomic():  # one trigram index per searched column, searched column by column
        execute(*drop_shipped, *per_column)
        columns = measure(per_column=True)
        columns["insert"] = timed(insert, repeat=5, warmup=1)
        transaction.set_rollback(True)

    for name in ("list", "rare", "common", "participants", "all"):
        report(f"storyteller.search.{name}_ms", shipped[name] * 1000, "ms")
        report(f"storyteller.search.{name}_scan_ms", scan[name] * 1000, "ms")
    report("storyteller.search.owner_ratio_to_list", max(shipped["rare"], shipped["common"]) / shipped["list"])
    report("storyteller.search.owner_speedup_rare", scan["rare"] / shipped["rare"])
    report("storyteller.search.owner_speedup_common", scan["common"] / shipped["common"])
    report("storyteller.search.participants_speedup_rare", scan["participants"] / shipped["participants"])
    report("storyteller.search.all_speedup_rare", scan["all"] / shipped["all"])
    report("storyteller.search.write_cost", shipped["insert"] / scan["insert"])
    report("storyteller.search.per_column_write_cost", columns["insert"] / scan["insert"])
    report("storyteller.search.per_column_ratio_rare", columns["rare"] / shipped["rare"])
    report("storyteller.search.per_column_ratio_common", columns["common"] / shipped["common"])
