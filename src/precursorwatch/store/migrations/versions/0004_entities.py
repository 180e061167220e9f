"""Resolved entities, their shipments and their network ties, as marked records.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
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
        "entities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_agency_id", sa.Integer(), nullable=False),
        sa.Column("marking", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("schema", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("properties", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_entities_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["owner_agency_id"], ["agencies.id"],
            name=op.f("fk_entities_owner_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entities")),
        sa.UniqueConstraint("owner_agency_id", "key", name="uq_entities_owner_key"),
    )
    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entities_key"), ["key"], unique=False)
        batch_op.create_index(batch_op.f("ix_entities_name"), ["name"], unique=False)
    op.create_table(
        "entity_shipments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_entity_shipments_entity_id_entities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entity_shipments")),
    )
    with op.batch_alter_table("entity_shipments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entity_shipments_entity_id"), ["entity_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_entity_shipments_shipment_id"), ["shipment_id"],
                              unique=False)
    op.create_table(
        "entity_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("kinds", sa.String(length=200), nullable=False),
        sa.Column("shared", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_entity_links_entity_id_entities")
        ),
        sa.ForeignKeyConstraint(
            ["other_id"], ["entities.id"], name=op.f("fk_entity_links_other_id_entities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entity_links")),
    )
    with op.batch_alter_table("entity_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entity_links_entity_id"), ["entity_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_entity_links_other_id"), ["other_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("entity_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entity_links_other_id"))
        batch_op.drop_index(batch_op.f("ix_entity_links_entity_id"))
    op.drop_table("entity_links")
    with op.batch_alter_table("entity_shipments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entity_shipments_shipment_id"))
        batch_op.drop_index(batch_op.f("ix_entity_shipments_entity_id"))
    op.drop_table("entity_shipments")
    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entities_name"))
        batch_op.drop_index(batch_op.f("ix_entities_key"))
    op.drop_table("entities")
