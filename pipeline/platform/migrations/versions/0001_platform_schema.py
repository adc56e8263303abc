"""Platform schema for spec mzt141-draft-0: the MZ/T 141 entity sets and the platform's bookkeeping.

Revision ID: 0001
Revises:
Create Date: 2025-11-23

The columns of dead_information and sea_burial_registration are the fields of spec version
mzt141-draft-0 (mapping/data/mzt141-draft-0.json), the agent / registrant fields moved into
contact_information. A later spec version comes as a new migration, never as an edit of this one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SPEC_VERSION = "mzt141-draft-0"
TABLES = (
    "record_history",
    "load_receipts",
    "contact_information",
    "sea_burial_registration",
    "dead_information",
    "institution_data",
    "platform_meta",
)


def upgrade() -> None:
    op.create_table(
        "platform_meta",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )
    op.create_table(
        "institution_data",
        sa.Column("funeral_home_code", sa.String(18), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("division_code", sa.String(6)),
        sa.Column("row_hash", sa.String(64), nullable=False),
        sa.Column("batch_id", sa.String(40)),
        sa.Column("loaded_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "dead_information",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("natural_key", sa.String(200), nullable=False, unique=True),
        sa.Column("funeral_home_code", sa.String(18)),
        sa.Column("cremation_cert_no", sa.String(20)),
        sa.Column("cremation_no", sa.String(32)),
        sa.Column("deceased_name", sa.String(50)),
        sa.Column("sex_code", sa.String(1)),
        sa.Column("id_type", sa.String(1)),
        sa.Column("id_number", sa.String(18)),
        sa.Column("id_number_raw", sa.String(32)),
        sa.Column("birth_date", sa.Date()),
        sa.Column("age_years", sa.Integer()),
        sa.Column("ethnicity_code", sa.String(2)),
        sa.Column("household_division_code", sa.String(6)),
        sa.Column("household_address", sa.String(200)),
        sa.Column("death_date", sa.Date()),
        sa.Column("death_cause_code", sa.String(2)),
        sa.Column("death_cert_issuer_type", sa.String(1)),
        sa.Column("cremation_date", sa.Date()),
        sa.Column("ashes_destination_code", sa.String(1)),
        sa.Column("remarks", sa.String(500)),
        sa.Column("source_file_sha256", sa.String(64)),
        sa.Column("source_file", sa.Text()),
        sa.Column("source_page", sa.Integer()),
        sa.Column("source_row", sa.Integer()),
        sa.Column("spec_version", sa.String(40)),
        sa.Column("row_hash", sa.String(64), nullable=False),
        sa.Column("batch_id", sa.String(40)),
        sa.Column("loaded_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_dead_information_home_file", "dead_information", ["funeral_home_code", "source_file"])
    op.create_table(
        "sea_burial_registration",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("natural_key", sa.String(200), nullable=False, unique=True),
        sa.Column("funeral_home_code", sa.String(18)),
        sa.Column("registration_no", sa.String(20)),
        sa.Column("deceased_name", sa.String(50)),
        sa.Column("sex_code", sa.String(1)),
        sa.Column("id_number", sa.String(18)),
        sa.Column("id_number_raw", sa.String(32)),
        sa.Column("cremation_cert_no", sa.String(20)),
        sa.Column("scattering_date", sa.Date()),
        sa.Column("voyage_no", sa.String(20)),
        sa.Column("sea_area", sa.String(50)),
        sa.Column("onboard_count", sa.Integer()),
        sa.Column("remarks", sa.String(500)),
        sa.Column("source_file_sha256", sa.String(64)),
        sa.Column("source_file", sa.Text()),
        sa.Column("source_page", sa.Integer()),
        sa.Column("source_row", sa.Integer()),
        sa.Column("spec_version", sa.String(40)),
        sa.Column("row_hash", sa.String(64), nullable=False),
        sa.Column("batch_id", sa.String(40)),
        sa.Column("loaded_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_sea_burial_registration_home_file", "sea_burial_registration", ["funeral_home_code", "source_file"])
    op.create_table(
        "contact_information",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("natural_key", sa.String(220), nullable=False, unique=True),
        sa.Column("dead_key", sa.String(200), sa.ForeignKey("dead_information.natural_key", ondelete="CASCADE")),
        sa.Column("sea_burial_key", sa.String(200), sa.ForeignKey("sea_burial_registration.natural_key", ondelete="CASCADE")),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("name", sa.String(50)),
        sa.Column("phone", sa.String(20)),
        sa.Column("relation_code", sa.String(2)),
        sa.Column("row_hash", sa.String(64), nullable=False),
        sa.Column("batch_id", sa.String(40)),
        sa.Column("loaded_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_contact_information_dead_key", "contact_information", ["dead_key"])
    op.create_index("ix_contact_information_sea_burial_key", "contact_information", ["sea_burial_key"])
    op.create_table(
        "load_receipts",
        sa.Column("batch_id", sa.String(40), primary_key=True),
        sa.Column("entity_set", sa.String(40), nullable=False),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("inserted", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("spec_version", sa.String(40), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "record_history",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("entity_set", sa.String(40), nullable=False),
        sa.Column("natural_key", sa.String(220), nullable=False),
        sa.Column("old_row_hash", sa.String(64)),
        sa.Column("new_row_hash", sa.String(64)),
        sa.Column("old_values", sa.JSON()),
        sa.Column("batch_id", sa.String(40), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_record_history_key", "record_history", ["entity_set", "natural_key"])
    meta = sa.table("platform_meta", sa.column("key", sa.String), sa.column("value", sa.Text))
    op.bulk_insert(meta, [{"key": "spec_version", "value": SPEC_VERSION}])


def downgrade() -> None:
    for name in TABLES:
        op.drop_table(name)
