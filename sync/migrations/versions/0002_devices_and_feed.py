"""Enrolled devices, one-time codes, signed-request nonces, the pull feed, quarantine and admin sign-in.

Existing events are kept; each gets the digest of its sealed blob, which duplicates and the drift
check compare.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.add_column("server_event", sa.Column("digest", sa.String(64), nullable=True))
    conn = op.get_bind()
    events = sa.table("server_event", sa.column("id", sa.String), sa.column("sealed", sa.LargeBinary),
                      sa.column("digest", sa.String))
    while True:
        rows = conn.execute(sa.select(events.c.id, events.c.sealed).where(events.c.digest.is_(None))
                            .limit(1000)).all()
        if not rows:
            break
        conn.execute(events.update().where(events.c.id == sa.bindparam("event_id"))
                     .values(digest=sa.bindparam("new_digest")),
                     [{"event_id": r.id, "new_digest": hashlib.sha256(r.sealed).hexdigest()} for r in rows])
    with op.batch_alter_table("server_event") as batch:
        batch.alter_column("digest", existing_type=sa.String(64), nullable=False)
    op.create_index("ix_server_event_device_id", "server_event", ["device_id"])

    op.create_table(
        "device",
        sa.Column("device_id", sa.String(64), primary_key=True),
        sa.Column("site_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("signing_key", sa.String(44), nullable=False),
        sa.Column("inbox_key", sa.String(44), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("code_id", sa.String(32), nullable=False),
        _when("enrolled_at"), _when("revoked_at", True),
        sa.Column("revoked_by", sa.String(80), nullable=True),
        _when("last_seen_at", True), _when("last_push_at", True), _when("last_pull_at", True),
        sa.Column("reported_pending", sa.Integer, nullable=True),
        sa.Column("reported_quarantined", sa.Integer, nullable=True),
    )
    op.create_index("ix_device_site_id", "device", ["site_id"])
    op.create_table(
        "enrolment_code",
        sa.Column("code_id", sa.String(32), primary_key=True),
        sa.Column("site_id", sa.String(64), nullable=False),
        sa.Column("device_name", sa.String(80), nullable=False),
        sa.Column("mac_key", sa.LargeBinary, nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        _when("created_at"), _when("expires_at"), _when("used_at", True),
        sa.Column("device_id", sa.String(64), nullable=True),
        sa.Column("request_proof", sa.String(64), nullable=True),
    )
    op.create_table(
        "request_nonce",
        sa.Column("device_id", sa.String(64), primary_key=True),
        sa.Column("nonce", sa.String(64), primary_key=True),
        _when("seen_at"),
    )
    op.create_index("ix_request_nonce_seen_at", "request_nonce", ["seen_at"])
    op.create_table(
        "case_share",
        sa.Column("case_id", sa.String(36), primary_key=True),
        sa.Column("device_id", sa.String(64), primary_key=True),
        sa.Column("site_id", sa.String(64), nullable=False),
        sa.Column("shared_by", sa.String(100), nullable=False),
        _when("shared_at"),
    )
    op.create_table(
        "feed_entry",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("site_id", sa.String(64), nullable=False),
        sa.Column("device_id", sa.String(64), nullable=True),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=True),
        sa.Column("config_version", sa.Integer, nullable=True),
    )
    op.create_index("ix_feed_entry_device_seq", "feed_entry", ["device_id", "seq"])
    op.create_index("ix_feed_entry_site_seq", "feed_entry", ["site_id", "seq"])
    op.create_table(
        "site_config",
        sa.Column("version", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("site_id", sa.String(64), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        _when("created_at"),
    )
    op.create_index("ix_site_config_site_id", "site_config", ["site_id"])
    counter = op.create_table(
        "sync_counter",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(counter, [{"name": "feed", "value": 0}])
    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("site_id", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=True),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("raw_digest", sa.String(64), nullable=False),
        _when("first_seen"), _when("last_seen"),
        sa.Column("times", sa.Integer, nullable=False),
        sa.UniqueConstraint("device_id", "raw_digest", name="uq_quarantine_device_raw"),
    )
    op.create_index("ix_quarantine_device_id", "quarantine", ["device_id"])
    op.create_table(
        "admin_user",
        sa.Column("name", sa.String(80), primary_key=True),
        sa.Column("password_hash", sa.LargeBinary, nullable=False),
        sa.Column("salt", sa.LargeBinary, nullable=False),
        sa.Column("kdf_n", sa.Integer, nullable=False),
        sa.Column("kdf_r", sa.Integer, nullable=False),
        sa.Column("kdf_p", sa.Integer, nullable=False),
        _when("created_at"),
    )
    op.create_table(
        "admin_session",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("admin_name", sa.String(80), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        _when("created_at"), _when("expires_at"),
    )


def downgrade() -> None:
    for table in ("admin_session", "admin_user", "quarantine", "sync_counter", "site_config", "feed_entry",
                  "case_share", "request_nonce", "enrolment_code", "device"):
        op.drop_table(table)
    op.drop_index("ix_server_event_device_id", "server_event")
    with op.batch_alter_table("server_event") as batch:
        batch.drop_column("digest")
