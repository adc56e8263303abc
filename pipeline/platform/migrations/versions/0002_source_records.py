"""A person row's sources: one platform row per person, merged from every record of that person.

Revision ID: 0002
Revises: 0001
Create Date: 2025-11-23

The loader writes one row per person and entity set (pipeline.platform.load.build_rows): when several store
records of one dedupe cluster make that row, `source_records` lists every one of them (JSON text:
file sha256, file, page, row, record id); NULL when the row comes from its one source row
(source_file / source_page / source_row).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ("dead_information", "sea_burial_registration")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("source_records", sa.Text()))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("source_records")
