"""On SQLite too the audit table refuses UPDATE and DELETE, through any query.

SQLite has no TRUNCATE, so emptying the trail (a test database flush, a deliberate archival
job) first takes a permit: a row in `portal_audit_maintenance`, a plain table that is no model.
The permit ends by itself once the trail is empty.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

CREATE = [
    "CREATE TABLE IF NOT EXISTS portal_audit_maintenance (reason TEXT NOT NULL)",
    """
    CREATE TRIGGER portal_auditevent_no_update BEFORE UPDATE ON portal_auditevent
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END
    """,
    """
    CREATE TRIGGER portal_auditevent_no_delete BEFORE DELETE ON portal_auditevent
    WHEN NOT EXISTS (SELECT 1 FROM portal_audit_maintenance)
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END
    """,
    """
    CREATE TRIGGER portal_auditevent_permit_ends AFTER DELETE ON portal_auditevent
    WHEN NOT EXISTS (SELECT 1 FROM portal_auditevent)
    BEGIN DELETE FROM portal_audit_maintenance; END
    """,
]
DROP = [
    "DROP TRIGGER IF EXISTS portal_auditevent_permit_ends",
    "DROP TRIGGER IF EXISTS portal_auditevent_no_delete",
    "DROP TRIGGER IF EXISTS portal_auditevent_no_update",
    "DROP TABLE IF EXISTS portal_audit_maintenance",
]


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("portal", "0003_audit_downgrade_action")]
    operations = [migrations.RunPython(create, drop)]
