from django.db import migrations

# Read-your-writes markers for read replicas (core.replicas): one row per user who wrote recently. Unlogged:
# only the primary reads it, it is not replicated, and a crash that empties it costs a few seconds of freshness.
CREATE = """
create unlogged table if not exists core_recent_write (
    user_id uuid primary key,
    until timestamptz not null
)
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0004_drop_redundant_indexes")]

    operations = [migrations.RunSQL(CREATE, "drop table if exists core_recent_write")]
