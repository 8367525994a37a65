"""Search concept dictionary as data (search_concept)

The rows are inserted by services.search.ensure_concepts (called from
services.catalog.ensure_reference_data at every start) from portal/content/concepts.py.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-20 12:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'search_concept',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('name_kk', sa.String(length=200), nullable=False),
        sa.Column('name_ru', sa.String(length=200), nullable=False),
        sa.Column('name_en', sa.String(length=200), nullable=False),
        sa.Column('categories', sa.String(length=200), nullable=False),
        sa.Column('phrases_kk', sa.Text(), nullable=False),
        sa.Column('phrases_ru', sa.Text(), nullable=False),
        sa.Column('phrases_en', sa.Text(), nullable=False),
        sa.Column('query_only', sa.Boolean(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code'),
    )


def downgrade():
    op.drop_table('search_concept')
