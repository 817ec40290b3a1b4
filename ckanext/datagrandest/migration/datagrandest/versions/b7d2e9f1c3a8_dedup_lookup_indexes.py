"""Indexes for the deduplication lookups a harvest makes for every record it imports.

A record is matched to an existing dataset by its ``identifier`` (a ``package_extra`` row) and
by its landing page (``package.url``); without an index each lookup reads the whole table.
Hash indexes: they answer equality, which is all the lookup asks, and take values of any
length (a btree refuses an entry over about 2.7 kB, and a landing page or an identifier may be
a long URL).

Revision ID: b7d2e9f1c3a8
Revises: b7e2d9c1f0a3
Create Date: 2026-11-27 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b7d2e9f1c3a8"
down_revision = "b7e2d9c1f0a3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "datagrandest_extra_identifier_idx",
        "package_extra",
        ["value"],
        postgresql_using="hash",
        postgresql_where=sa.text("key = 'identifier'"),
    )
    op.create_index("datagrandest_package_url_idx", "package", ["url"], postgresql_using="hash")


def downgrade() -> None:
    op.drop_index("datagrandest_package_url_idx", table_name="package")
    op.drop_index("datagrandest_extra_identifier_idx", table_name="package_extra")
