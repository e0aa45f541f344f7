"""township notices: points catalog releases and revocation notices for every village

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26

Rows the township publishes to all its villages (DESIGN: "decisions, rule-catalog updates and
acknowledgements back"): a reference points catalog the villages' assemblies may adopt, and the notice
that a desk's key was revoked.
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import app.models.base


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('catalog_release',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('origin', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('issued_by', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('items', sa.Text(), nullable=False),
    sa.Column('item_count', sa.Integer(), nullable=False),
    sa.Column('withdrawn', sa.Boolean(), nullable=False),
    sa.Column('audience', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('revocation_notice',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('origin', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(), nullable=False),
    sa.Column('device_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('committee_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('committee_code', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('revoked_at', app.models.base.UTCDateTime(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('audience', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('revocation_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revocation_notice_device_id'), ['device_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('revocation_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_revocation_notice_device_id'))
    op.drop_table('revocation_notice')
    op.drop_table('catalog_release')
