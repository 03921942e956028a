"""Report facts: per case, the non-identifying figures the monthly return counts (see sync/report_store.py).

Existing events are folded into facts by `courtside report --rebuild` (the migration holds no key to open them).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_fact",
        sa.Column("case_id", sa.String(36), primary_key=True),
        sa.Column("site_id", sa.String(64), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("court_id", sa.String(64), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_report_fact_site_month", "report_fact", ["site_id", "month"])


def downgrade() -> None:
    op.drop_index("ix_report_fact_site_month", "report_fact")
    op.drop_table("report_fact")
