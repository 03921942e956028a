"""Tablets' audit trails: every view, change, print, export, purge and unlock attempt, ids only.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "server_audit",
        sa.Column("device_id", sa.String(64), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("site_id", sa.String(64), nullable=False),
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("officer_id", sa.String(100), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("detail", sa.String(200), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_server_audit_site_id", "server_audit", ["site_id"])
    op.create_index("ix_server_audit_case_id", "server_audit", ["case_id"])


def downgrade() -> None:
    op.drop_table("server_audit")
