"""Synergist's numbers on core records: a company number (the prefix of Synergist codes, 1/GS) and
an activity number (activityID) on every company and activity, existing ones numbered; and the
verifier that lets a staff member log in with the SHA-512 of their password

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22 19:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

ACTIVITY_START = 5001


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        # A unique column makes SQLite rebuild the table (copy, drop, rename); with foreign keys
        # enforced the drop would fail on every row naming a company or an activity. (Migrations run
        # outside a transaction on SQLite, so the pragma takes effect.)
        bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_company_number'), ['number'])
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('activity_number', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_activity_activity_number'), ['activity_number'])
    with op.batch_alter_table('staff_credential', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sha512_verifier', sa.String(length=255), nullable=True))
    if sqlite:
        bind.exec_driver_sql("PRAGMA foreign_keys=ON")
    _number_companies(bind)
    _number_activities(bind)


def _set_sequence(bind: sa.Connection, name: str, next_value: int) -> None:
    sequence = sa.table("sequence", sa.column("name", sa.String), sa.column("next_value", sa.BigInteger))
    bind.execute(sequence.delete().where(sequence.c.name == name))
    bind.execute(sequence.insert().values(name=name, next_value=next_value))


def _number_companies(bind: sa.Connection) -> None:
    """A company whose code is a number (Galaxy's 001) gets that number; the others the numbers after."""
    company = sa.table("company", sa.column("company_id", sa.String), sa.column("code", sa.String),
                       sa.column("number", sa.Integer))
    # Sorted in Python, so both databases number the same way.
    rows = sorted(bind.execute(sa.select(company.c.company_id, company.c.code)).all(), key=lambda r: r.company_id)
    taken: set[int] = set()
    numbered: dict[str, int] = {}
    for row in rows:
        code = (row.code or "").strip()
        if code.isdigit() and int(code) > 0 and int(code) not in taken and int(code) < 2**31:
            numbered[row.company_id] = int(code)
            taken.add(int(code))
    following = max(taken, default=0) + 1
    for row in rows:
        if row.company_id not in numbered:
            numbered[row.company_id] = following
            following += 1
    for company_id, number in numbered.items():
        bind.execute(company.update().where(company.c.company_id == company_id).values(number=number))
    _set_sequence(bind, "Company", following)


def _number_activities(bind: sa.Connection) -> None:
    activity = sa.table("activity", sa.column("activity_id", sa.String), sa.column("activity_number", sa.Integer))
    keys = sorted(bind.execute(sa.select(activity.c.activity_id)).scalars())
    for offset, key in enumerate(keys):
        bind.execute(activity.update().where(activity.c.activity_id == key)
                     .values(activity_number=ACTIVITY_START + offset))
    _set_sequence(bind, "Activity", ACTIVITY_START + len(keys))


def downgrade() -> None:
    with op.batch_alter_table('staff_credential', schema=None) as batch_op:
        batch_op.drop_column('sha512_verifier')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_activity_activity_number'), type_='unique')
        batch_op.drop_column('activity_number')
    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_company_number'), type_='unique')
        batch_op.drop_column('number')
