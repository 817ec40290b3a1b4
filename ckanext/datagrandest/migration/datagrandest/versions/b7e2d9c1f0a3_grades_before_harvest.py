"""The grade each dataset had before a harvest job rewrote it (job report: gained, lost).

Revision ID: b7e2d9c1f0a3
Revises: a1f3c2d4e5b6
Create Date: 2026-11-27 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b7e2d9c1f0a3"
down_revision = "a1f3c2d4e5b6"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "datagrandest_harvest_grade",
        sa.Column("harvest_job_id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, primary_key=True),
        # Null: the job created the dataset.
        sa.Column("grade_before", sa.Unicode(16), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("datagrandest_harvest_grade")
