"""The courts each tablet serves: a case handed over from custody goes only to the tablets of its court.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Tablets enrolled before this serve no court until the site admin says which (need to know).
    for table in ("device", "enrolment_code"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("courts", sa.String(1000), nullable=False, server_default=""))


def downgrade() -> None:
    for table in ("device", "enrolment_code"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("courts")
