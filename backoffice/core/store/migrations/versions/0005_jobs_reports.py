"""The job queue (job) and reports (report_run, report_page, report_view)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 14:41:18.124893
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('job',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('unique_key', sa.String(length=200), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('owner', sa.String(length=80), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('run_after', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('max_attempts', sa.Integer(), server_default='3', nullable=False),
    sa.Column('worker', sa.String(length=120), nullable=True),
    sa.Column('lease_expires_at', sa.DateTime(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job')),
    sa.UniqueConstraint('unique_key', name=op.f('uq_job_unique_key'))
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_owner_created_at'), ['owner', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_status_run_after'), ['status', 'run_after'], unique=False)

    op.create_table('report_run',
    sa.Column('document_id', sa.String(length=36), nullable=False),
    sa.Column('report', sa.String(length=60), nullable=False),
    sa.Column('view_name', sa.String(length=100), nullable=True),
    sa.Column('owner', sa.String(length=80), nullable=False),
    sa.Column('actor', sa.JSON(), nullable=False),
    sa.Column('filters', sa.JSON(), nullable=False),
    sa.Column('columns', sa.JSON(), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('rows_per_page', sa.Integer(), nullable=False),
    sa.Column('page_count', sa.Integer(), nullable=True),
    sa.Column('row_count', sa.Integer(), nullable=True),
    sa.Column('page_width', sa.Float(), nullable=False),
    sa.Column('page_height', sa.Float(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('job_id', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('document_id', name=op.f('pk_report_run'))
    )
    with op.batch_alter_table('report_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_run_owner_created_at'), ['owner', 'created_at'], unique=False)

    op.create_table('report_view',
    sa.Column('view_id', sa.String(length=36), nullable=False),
    sa.Column('report', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('owner', sa.String(length=80), nullable=False),
    sa.Column('public', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('columns', sa.JSON(), nullable=True),
    sa.Column('filters', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('view_id', name=op.f('pk_report_view')),
    sa.UniqueConstraint('report', 'owner', 'name', name=op.f('uq_report_view_report_owner_name'))
    )
    op.create_table('report_page',
    sa.Column('document_id', sa.String(length=36), nullable=False),
    sa.Column('page_number', sa.Integer(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['report_run.document_id'], name=op.f('fk_report_page_document_id'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', 'page_number', name=op.f('pk_report_page'))
    )


def downgrade() -> None:
    op.drop_table('report_page')
    op.drop_table('report_view')
    with op.batch_alter_table('report_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_run_owner_created_at'))

    op.drop_table('report_run')
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_status_run_after'))
        batch_op.drop_index(batch_op.f('ix_job_owner_created_at'))

    op.drop_table('job')
