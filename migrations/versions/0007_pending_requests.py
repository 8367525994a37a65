"""Pending requests: what a visitor wrote before signing in or registering

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-10 12:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'pending_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    with op.batch_alter_table('pending_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_request_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('pending_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_request_expires_at'))
    op.drop_table('pending_request')
