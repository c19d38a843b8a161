"""documents: the index of every provider's folders and files, and the Database provider's contents

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 14:38:19.567272
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('document_node',
    sa.Column('node_id', sa.String(length=36), nullable=False),
    sa.Column('provider', sa.String(length=16), nullable=False),
    sa.Column('setup', sa.String(length=100), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=False),
    sa.Column('path', sa.Text(), nullable=False),
    sa.Column('locator_hash', sa.String(length=64), nullable=False),
    sa.Column('is_folder', sa.Boolean(), nullable=False),
    sa.Column('private', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('owner_id', sa.String(length=36), nullable=True),
    sa.Column('size', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('revision', sa.Integer(), server_default='0', nullable=False),
    sa.Column('link_id', sa.String(length=36), nullable=True),
    sa.Column('content_type', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('node_id', name=op.f('pk_document_node')),
    sa.UniqueConstraint('locator_hash', name=op.f('uq_document_node_locator_hash'))
    )
    with op.batch_alter_table('document_node', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_node_provider_setup_entity_id'), ['provider', 'setup', 'entity_id'], unique=False)

    op.create_table('document_content',
    sa.Column('node_id', sa.String(length=36), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['node_id'], ['document_node.node_id'], name=op.f('fk_document_content_node_id')),
    sa.PrimaryKeyConstraint('node_id', name=op.f('pk_document_content'))
    )


def downgrade() -> None:
    op.drop_table('document_content')
    with op.batch_alter_table('document_node', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_node_provider_setup_entity_id'))

    op.drop_table('document_node')
