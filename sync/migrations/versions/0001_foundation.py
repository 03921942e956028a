"""The first server schema (the walking skeleton): case events only, stored as a set keyed by id.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "server_event",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("site_id", sa.String(64), nullable=False),
        sa.Column("device_id", sa.String(100), nullable=False),
        sa.Column("officer_id", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("hlc", sa.String(64).with_variant(sa.String(64, collation="C"), "postgresql"), nullable=False),
        sa.Column("schema_version", sa.Integer, nullable=False),
        sa.Column("sealed", sa.LargeBinary, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_server_event_case_id", "server_event", ["case_id"])
    op.create_index("ix_server_event_site_id", "server_event", ["site_id"])


def downgrade() -> None:
    op.drop_table("server_event")
