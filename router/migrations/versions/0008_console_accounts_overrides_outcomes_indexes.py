"""console: accounts, overrides and contact tests, call outcomes and paths, resolved cases, call log indexes

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 14:21:01.122256
"""

from alembic import op
import sqlalchemy as sa
import router.models.base


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('contact_tests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('to_number', sa.String(length=32), nullable=False),
    sa.Column('requested_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', router.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', router.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('twilio_sid', sa.String(length=64), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_tests')),
    sa.UniqueConstraint('twilio_sid', name=op.f('uq_contact_tests_twilio_sid'))
    )
    with op.batch_alter_table('contact_tests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_tests_person_id'), ['person_id'], unique=False)

    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', router.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failures_address'), ['address'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failures_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failures_username'), ['username'], unique=False)

    op.create_table('overrides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rotation_id', sa.String(length=64), nullable=False),
    sa.Column('person_id', sa.String(length=64), nullable=False),
    sa.Column('replaces', sa.String(length=64), nullable=True),
    sa.Column('starts_at', router.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', router.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', router.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('removed_at', router.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('removed_by', sa.String(length=64), nullable=True),
    sa.Column('config_key', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_overrides')),
    sa.UniqueConstraint('config_key', name=op.f('uq_overrides_config_key'))
    )
    with op.batch_alter_table('overrides', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_overrides_rotation_id'), ['rotation_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('person_id', sa.String(length=64), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('created_at', router.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', router.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('session_token', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('path', sa.String(length=80), nullable=True))
        batch_op.drop_index(batch_op.f('ix_calls_line_number'))
        batch_op.drop_index(batch_op.f('ix_calls_started_at'))
        batch_op.create_index('ix_calls_customer_started', ['customer_id', 'started_at', 'id'], unique=False)
        batch_op.create_index('ix_calls_decision_started', ['decision', 'started_at', 'id'], unique=False)
        batch_op.create_index('ix_calls_duration_started', ['duration_seconds', 'started_at', 'id'], unique=False)
        batch_op.create_index('ix_calls_from_started', ['from_number', 'started_at', 'id'], unique=False)
        batch_op.create_index('ix_calls_holiday_started', ['started_at', 'id'], unique=False,
                              postgresql_where=sa.text("decision LIKE 'closed: holiday %'"),
                              sqlite_where=sa.text("decision LIKE 'closed: holiday %'"))
        batch_op.create_index('ix_calls_line_started', ['line_number', 'started_at', 'id'], unique=False)
        batch_op.create_index('ix_calls_outcome_started', ['outcome', 'started_at', 'id'], unique=False)
        batch_op.create_index('ix_calls_started_at_id', ['started_at', 'id'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resolved_at', router.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('resolved_by', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_cases_status_due', ['status', 'first_response_due'], unique=False)
        # The case list's orders, each walked by an index (router/case_list.py).
        batch_op.drop_index(batch_op.f('ix_cases_customer_id'))
        batch_op.create_index('ix_cases_customer_opened', ['customer_id', 'opened_at', 'id'], unique=False)
        batch_op.create_index('ix_cases_status_opened', ['status', 'opened_at', 'id'], unique=False)
        batch_op.create_index('ix_cases_waiting_due', ['first_answered_at', 'first_response_due', 'id'], unique=False)
        batch_op.create_index('ix_cases_due_id', ['first_response_due', 'id'], unique=False)

    with op.batch_alter_table('pages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pages_opened_at'), ['opened_at'], unique=False)
        batch_op.create_index('ix_pages_line_opened', ['line_number', 'opened_at'], unique=False)

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_sent_at'), ['sent_at'], unique=False)

    with op.batch_alter_table('page_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_page_events_page_id'))
        batch_op.create_index('ix_page_events_page_kind', ['page_id', 'kind'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('page_events', schema=None) as batch_op:
        batch_op.drop_index('ix_page_events_page_kind')
        batch_op.create_index(batch_op.f('ix_page_events_page_id'), ['page_id'], unique=False)

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_sent_at'))

    with op.batch_alter_table('pages', schema=None) as batch_op:
        batch_op.drop_index('ix_pages_line_opened')
        batch_op.drop_index(batch_op.f('ix_pages_opened_at'))

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_due_id')
        batch_op.drop_index('ix_cases_waiting_due')
        batch_op.drop_index('ix_cases_status_opened')
        batch_op.drop_index('ix_cases_customer_opened')
        batch_op.create_index(batch_op.f('ix_cases_customer_id'), ['customer_id'], unique=False)
        batch_op.drop_index('ix_cases_status_due')
        batch_op.drop_column('resolved_by')
        batch_op.drop_column('resolved_at')

    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_index('ix_calls_started_at_id')
        batch_op.drop_index('ix_calls_outcome_started')
        batch_op.drop_index('ix_calls_line_started')
        batch_op.drop_index('ix_calls_holiday_started')
        batch_op.drop_index('ix_calls_from_started')
        batch_op.drop_index('ix_calls_duration_started')
        batch_op.drop_index('ix_calls_decision_started')
        batch_op.drop_index('ix_calls_customer_started')
        batch_op.create_index(batch_op.f('ix_calls_started_at'), ['started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_line_number'), ['line_number'], unique=False)
        batch_op.drop_column('path')
        batch_op.drop_column('outcome')

    op.drop_table('users')
    with op.batch_alter_table('overrides', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_overrides_rotation_id'))

    op.drop_table('overrides')
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failures_username'))
        batch_op.drop_index(batch_op.f('ix_login_failures_at'))
        batch_op.drop_index(batch_op.f('ix_login_failures_address'))

    op.drop_table('login_failures')
    with op.batch_alter_table('contact_tests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_tests_person_id'))

    op.drop_table('contact_tests')
