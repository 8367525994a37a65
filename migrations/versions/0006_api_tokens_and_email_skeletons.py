"""API tokens (revocable refresh tokens, per-user token version) and email skeletons

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 16:45:00

"""
import sqlalchemy as sa
from alembic import op

BACKFILL_BATCH = 1000


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ab_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_skeleton', sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column('token_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index(batch_op.f('ix_ab_user_email_skeleton'), ['email_skeleton'], unique=False)
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=8), server_default='web', nullable=False))
        batch_op.add_column(sa.Column('refresh_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_user_session_refresh_hash'), ['refresh_hash'])
    _backfill_email_skeletons()


def _backfill_email_skeletons():
    """Data step: the look-alike key (Unicode TR39 skeleton) of every existing
    email, in batches by id. The key function is the portal's own (no Flask in it)."""
    from portal.core.confusables import email_skeleton

    bind = op.get_bind()
    users = sa.table('ab_user', sa.column('id', sa.Integer), sa.column('email', sa.String),
                     sa.column('email_skeleton', sa.String))
    last_id = 0
    while True:
        rows = bind.execute(sa.select(users.c.id, users.c.email).where(users.c.id > last_id)
                            .order_by(users.c.id).limit(BACKFILL_BATCH)).all()
        if not rows:
            break
        values = [{'uid': uid, 'key': email_skeleton(email)} for uid, email in rows]
        bind.execute(users.update().where(users.c.id == sa.bindparam('uid'))
                     .values(email_skeleton=sa.bindparam('key')), values)
        last_id = rows[-1][0]


def downgrade():
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_user_session_refresh_hash'), type_='unique')
        batch_op.drop_column('refresh_hash')
        batch_op.drop_column('kind')
    with op.batch_alter_table('ab_user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ab_user_email_skeleton'))
        batch_op.drop_column('token_version')
        batch_op.drop_column('email_skeleton')
