"""Web Push: subscriptions, the push outbox, and a push choice per notification kind

notification_preference.push is NULL where the user kept the kind's default
(services.notifications.kinds.KindSpec.push_by_default), so the existing rows
need no data step.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-28 12:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'push_subscription',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('endpoint', sa.String(length=1024), nullable=False),
        sa.Column('p256dh', sa.String(length=128), nullable=False),
        sa.Column('auth', sa.String(length=64), nullable=False),
        sa.Column('user_agent', sa.String(length=255), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_success_at', sa.DateTime(), nullable=True),
        sa.Column('failure_count', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['session_id'], ['user_session.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('endpoint'),
    )
    with op.batch_alter_table('push_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_subscription_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_push_subscription_session_id'), ['session_id'], unique=False)

    op.create_table(
        'push_outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subscription_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['subscription_id'], ['push_subscription.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('push_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_push_outbox_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_push_outbox_subscription_id'), ['subscription_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_push_outbox_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('notification_preference', schema=None) as batch_op:
        batch_op.add_column(sa.Column('push', sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table('notification_preference', schema=None) as batch_op:
        batch_op.drop_column('push')
    with op.batch_alter_table('push_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_outbox_user_id'))
        batch_op.drop_index(batch_op.f('ix_push_outbox_subscription_id'))
        batch_op.drop_index('ix_push_outbox_due')
    op.drop_table('push_outbox')
    with op.batch_alter_table('push_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_subscription_user_id'))
    op.drop_table('push_subscription')
