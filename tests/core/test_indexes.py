"""No index that another index of the same table already leads with (HOUSE_STYLE 9).

A foreign key's own index (``db_index``, on by default) or a ``Meta.indexes`` entry is redundant when a unique
constraint or another index starts with the same columns, in the same order, with the same operator classes:
that one serves every lookup the shorter one would, and each redundant index costs every write. Expression and
partial indexes are left out (they answer other queries), as are tables of third-party apps and the many-to-many
tables Django makes.
"""

import pytest
from django.apps import apps
from django.db import connection

PROJECT_APPS = {"core", "catalog", "club", "amcs", "audio_vcs", "storyteller"}

REDUNDANT = """
SELECT c.relname, i.relname, pg_get_indexdef(x.indexrelid), o.relname, pg_get_indexdef(y.indexrelid)
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class c ON c.oid = x.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
JOIN pg_index y ON y.indrelid = x.indrelid AND y.indexrelid <> x.indexrelid
JOIN pg_class o ON o.oid = y.indexrelid
WHERE NOT x.indisunique
  AND x.indexprs IS NULL AND y.indexprs IS NULL AND x.indpred IS NULL AND y.indpred IS NULL
  AND i.relam = o.relam
  AND (' ' || y.indkey::text || ' ') LIKE (' ' || x.indkey::text || ' %')
  AND x.indclass::text = substring(y.indclass::text FOR length(x.indclass::text))
  AND (y.indisunique OR y.indkey::text <> x.indkey::text OR x.indexrelid > y.indexrelid)
ORDER BY 1, 2
"""


@pytest.mark.django_db
def test_no_index_repeats_the_start_of_another():
    tables = {
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS and not model._meta.auto_created
    }
    with connection.cursor() as cursor:
        cursor.execute(REDUNDANT)
        redundant = sorted(
            {f"{row[1]}: {row[2]} (served by {row[3]})" for row in cursor.fetchall() if row[0] in tables}
        )
    assert redundant == []
