"""Bookings: price lists, working hours, booking rules, availability exceptions,
bookings, and a category's takes_bookings switch

Double booking is refused by the database: on every database a partial unique
index over (profile_id, starts_at) of the active bookings; on PostgreSQL also an
exclusion constraint (btree_gist) over the time range of a profile's active
bookings. btree_gist ships with PostgreSQL (contrib) and is a trusted extension
(PostgreSQL 13+): the database's owner may create it without being a superuser.
The downgrade keeps the extension (other objects may use it).

Revision ID: 0011
Revises: 0010
Create Date: 2027-01-10 12:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

ACTIVE = "status IN ('requested', 'confirmed')"


def upgrade():
    with op.batch_alter_table('category', schema=None) as batch_op:
        batch_op.add_column(sa.Column('takes_bookings', sa.Boolean(), server_default=sa.false(), nullable=False))

    op.create_table(
        'service_item',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('profile_id', sa.Integer(), nullable=False),
        sa.Column('name_kk', sa.String(length=200), nullable=False),
        sa.Column('name_ru', sa.String(length=200), nullable=False),
        sa.Column('name_en', sa.String(length=200), nullable=False),
        sa.Column('price', sa.Integer(), nullable=False),
        sa.Column('price_kind', sa.String(length=8), nullable=False),
        sa.Column('duration_minutes', sa.Integer(), nullable=False),
        sa.Column('mode', sa.String(length=10), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('sort_order', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('price >= 0', name='ck_service_item_price'),
        sa.CheckConstraint('duration_minutes > 0 AND duration_minutes <= 1440', name='ck_service_item_duration'),
        sa.ForeignKeyConstraint(['profile_id'], ['practitioner_profile.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('service_item', schema=None) as batch_op:
        batch_op.create_index('ix_service_item_profile', ['profile_id', 'sort_order'], unique=False)

    op.create_table(
        'working_hours',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('profile_id', sa.Integer(), nullable=False),
        sa.Column('weekday', sa.SmallInteger(), nullable=False),
        sa.Column('start_minute', sa.SmallInteger(), nullable=False),
        sa.Column('end_minute', sa.SmallInteger(), nullable=False),
        sa.CheckConstraint('weekday BETWEEN 0 AND 6', name='ck_working_hours_weekday'),
        sa.CheckConstraint('start_minute >= 0 AND start_minute < end_minute AND end_minute <= 1440',
                           name='ck_working_hours_range'),
        sa.ForeignKeyConstraint(['profile_id'], ['practitioner_profile.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('working_hours', schema=None) as batch_op:
        batch_op.create_index('ix_working_hours_profile', ['profile_id', 'weekday'], unique=False)

    op.create_table(
        'booking_rules',
        sa.Column('profile_id', sa.Integer(), nullable=False),
        sa.Column('slot_minutes', sa.Integer(), nullable=False),
        sa.Column('buffer_minutes', sa.Integer(), nullable=False),
        sa.Column('min_notice_minutes', sa.Integer(), nullable=False),
        sa.Column('horizon_days', sa.Integer(), nullable=False),
        sa.Column('cancel_notice_minutes', sa.Integer(), nullable=False),
        sa.Column('auto_confirm', sa.Boolean(), nullable=False),
        sa.Column('feed_token', sa.String(length=64), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('slot_minutes BETWEEN 5 AND 1440', name='ck_booking_rules_slot'),
        sa.CheckConstraint('buffer_minutes >= 0 AND min_notice_minutes >= 0 AND cancel_notice_minutes >= 0',
                           name='ck_booking_rules_minutes'),
        sa.CheckConstraint('horizon_days BETWEEN 1 AND 366', name='ck_booking_rules_horizon'),
        sa.ForeignKeyConstraint(['profile_id'], ['practitioner_profile.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('profile_id'),
        sa.UniqueConstraint('feed_token', name='uq_booking_rules_feed_token'),
    )

    op.create_table(
        'availability_exception',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('profile_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('start_minute', sa.SmallInteger(), nullable=True),
        sa.Column('end_minute', sa.SmallInteger(), nullable=True),
        sa.Column('note', sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            '(start_minute IS NULL AND end_minute IS NULL) OR '
            '(start_minute >= 0 AND start_minute < end_minute AND end_minute <= 1440)',
            name='ck_availability_exception_range'),
        sa.ForeignKeyConstraint(['profile_id'], ['practitioner_profile.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('availability_exception', schema=None) as batch_op:
        batch_op.create_index('ix_availability_exception_profile', ['profile_id', 'day'], unique=False)

    op.create_table(
        'booking',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('profile_id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('service_item_id', sa.Integer(), nullable=False),
        sa.Column('starts_at', sa.DateTime(), nullable=False),
        sa.Column('ends_at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('price', sa.Integer(), nullable=False),
        sa.Column('price_kind', sa.String(length=8), nullable=False),
        sa.Column('client_note', sa.Text(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
        sa.Column('outcome_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(), nullable=True),
        sa.Column('declined_at', sa.DateTime(), nullable=True),
        sa.Column('cancelled_at', sa.DateTime(), nullable=True),
        sa.Column('outcome_at', sa.DateTime(), nullable=True),
        sa.Column('reminded_24h_at', sa.DateTime(), nullable=True),
        sa.Column('reminded_2h_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint('ends_at > starts_at', name='ck_booking_times'),
        sa.ForeignKeyConstraint(['cancelled_by_id'], ['ab_user.id']),
        sa.ForeignKeyConstraint(['client_id'], ['ab_user.id']),
        sa.ForeignKeyConstraint(['outcome_by_id'], ['ab_user.id']),
        sa.ForeignKeyConstraint(['profile_id'], ['practitioner_profile.id']),
        sa.ForeignKeyConstraint(['service_item_id'], ['service_item.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.create_index('ix_booking_client_starts', ['client_id', 'starts_at'], unique=False)
        batch_op.create_index('ix_booking_due', ['status', 'starts_at'], unique=False)
        batch_op.create_index('ix_booking_profile_starts', ['profile_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_service_item_id'), ['service_item_id'], unique=False)
        batch_op.create_index('uq_booking_active_start', ['profile_id', 'starts_at'], unique=True,
                              sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))

    # a conversation, a review and files belong to a request or to a booking
    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.alter_column('request_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('booking_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_thread_booking_id', 'booking', ['booking_id'], ['id'])
        batch_op.create_unique_constraint('uq_thread_booking_id', ['booking_id'])
        batch_op.create_check_constraint('ck_thread_subject', '(request_id IS NULL) <> (booking_id IS NULL)')
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.alter_column('request_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('booking_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_review_booking_id', 'booking', ['booking_id'], ['id'])
        batch_op.create_unique_constraint('uq_review_booking_id', ['booking_id'])
        batch_op.create_check_constraint('ck_review_subject', '(request_id IS NULL) <> (booking_id IS NULL)')
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('booking_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_attachment_booking_id', 'booking', ['booking_id'], ['id'])
        batch_op.create_index('ix_attachment_booking_id', ['booking_id'], unique=False)

    # files sent with a mail (a confirmed booking's .ics), kept for every retry
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachments', sa.Text(), nullable=True))

    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS btree_gist')
        op.execute(
            "ALTER TABLE booking ADD CONSTRAINT ex_booking_no_overlap EXCLUDE USING gist "
            f"(profile_id WITH =, tsrange(starts_at, ends_at, '[)') WITH &&) WHERE ({ACTIVE})"
        )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE booking DROP CONSTRAINT ex_booking_no_overlap')
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.drop_column('attachments')
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_index('ix_attachment_booking_id')
        batch_op.drop_constraint('fk_attachment_booking_id', type_='foreignkey')
        batch_op.drop_column('booking_id')
    for table in ('review', 'thread'):
        op.execute(f'DELETE FROM {table} WHERE request_id IS NULL')
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f'ck_{table}_subject', type_='check')
            batch_op.drop_constraint(f'uq_{table}_booking_id', type_='unique')
            batch_op.drop_constraint(f'fk_{table}_booking_id', type_='foreignkey')
            batch_op.drop_column('booking_id')
            batch_op.alter_column('request_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_index('uq_booking_active_start')
        batch_op.drop_index(batch_op.f('ix_booking_service_item_id'))
        batch_op.drop_index('ix_booking_profile_starts')
        batch_op.drop_index('ix_booking_due')
        batch_op.drop_index('ix_booking_client_starts')
    op.drop_table('booking')
    with op.batch_alter_table('availability_exception', schema=None) as batch_op:
        batch_op.drop_index('ix_availability_exception_profile')
    op.drop_table('availability_exception')
    op.drop_table('booking_rules')
    with op.batch_alter_table('working_hours', schema=None) as batch_op:
        batch_op.drop_index('ix_working_hours_profile')
    op.drop_table('working_hours')
    with op.batch_alter_table('service_item', schema=None) as batch_op:
        batch_op.drop_index('ix_service_item_profile')
    op.drop_table('service_item')
    with op.batch_alter_table('category', schema=None) as batch_op:
        batch_op.drop_column('takes_bookings')
