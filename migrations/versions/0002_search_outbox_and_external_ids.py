"""search outbox and external ids

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 18:31:52.758236

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('search_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_search_outbox_due', ['next_attempt_at'], unique=False)

    with op.batch_alter_table('practitioner_profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external_id', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_practitioner_profile_external_id', ['external_id'], unique=True)



def downgrade():
    with op.batch_alter_table('practitioner_profile', schema=None) as batch_op:
        batch_op.drop_index('ix_practitioner_profile_external_id')
        batch_op.drop_column('external_id')

    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_search_outbox_due')

    op.drop_table('search_outbox')
