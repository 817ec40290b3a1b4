"""Link checks (with history) and the cache of each dataset's DCAT-AP validation.

Revision ID: a1f3c2d4e5b6
Revises:
Create Date: 2026-11-27 12:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "a1f3c2d4e5b6"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "datagrandest_link_check",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("url", sa.UnicodeText, nullable=False),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        # Null for the dataset's landing page.
        sa.Column("resource_id", sa.UnicodeText, nullable=True),
        sa.Column("checked_at", sa.DateTime, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("status", sa.Integer, nullable=True),
        sa.Column("method", sa.Unicode(8), nullable=True),
        sa.Column("final_url", sa.UnicodeText, nullable=True),
        sa.Column("content_type", sa.UnicodeText, nullable=True),
        sa.Column("size", sa.BigInteger, nullable=True),
        sa.Column("redirects", sa.Integer, nullable=False, server_default="0"),
        sa.Column("error", sa.UnicodeText, nullable=True),
        sa.Column("elapsed", sa.Float, nullable=True),
    )
    op.create_index(
        "datagrandest_link_check_package_idx",
        "datagrandest_link_check",
        ["package_id", "checked_at"],
    )
    op.create_index(
        "datagrandest_link_check_url_idx", "datagrandest_link_check", ["url", "checked_at"]
    )
    op.create_table(
        "datagrandest_dcat_compliance",
        sa.Column("package_id", sa.UnicodeText, primary_key=True),
        sa.Column("metadata_modified", sa.DateTime, nullable=False),
        sa.Column("conforms", sa.Boolean, nullable=False),
        sa.Column("violations", sa.UnicodeText, nullable=False, server_default="[]"),
        sa.Column("checked_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("datagrandest_dcat_compliance")
    op.drop_index("datagrandest_link_check_url_idx", "datagrandest_link_check")
    op.drop_index("datagrandest_link_check_package_idx", "datagrandest_link_check")
    op.drop_table("datagrandest_link_check")
