# The counter moved to CallCounter (0003). A migration of its own: on PostgreSQL the rows 0003 inserted
# leave deferred foreign-key checks pending until its transaction ends, and a table cannot be altered
# while they are pending.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("grants", "0003_call_counter_and_appeal_reasons"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="call",
            name="last_number",
        ),
    ]
