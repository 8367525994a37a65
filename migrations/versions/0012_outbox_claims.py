"""Outbox rows taken with a lease: the claim token of the worker that took a row

Several ``flask portal worker`` processes share the search, mail and push
outboxes (core.outbox.take): a worker writes its claim token on the rows it
takes and moves their next_attempt_at to the end of its lease; the rows of a
worker that died are due again when the lease ends. Existing rows have no
claim (NULL): no data step.

Revision ID: 0012
Revises: 0011
Create Date: 2027-01-20 12:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

TABLES = ('search_outbox', 'mail_outbox', 'push_outbox')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('claim_token', sa.String(length=64), nullable=True))


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('claim_token')
