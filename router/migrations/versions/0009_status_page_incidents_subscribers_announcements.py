"""status page: components, incidents and maintenance, updates, subscribers, external pages; what a call announced

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 15:26:23.783933
"""

from alembic import op
import sqlalchemy as sa
import router.models.base


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('component_states',
    sa.Column('component_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('created_at', router.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', router.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('component_id', name=op.f('pk_component_states'))
    )
    op.create_table('external_statuses',
    sa.Column('line_number', sa.String(length=20), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('checked_at', router.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', router.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('error', sa.String(length=300), nullable=True),
    sa.PrimaryKeyConstraint('line_number', name=op.f('pk_external_statuses'))
    )
    op.create_table('incidents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('impact', sa.String(length=12), nullable=False),
    sa.Column('owner', sa.String(length=64), nullable=True),
    sa.Column('created_at', router.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', router.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', router.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('monitoring_at', router.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', router.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('estimated_resolution_at', router.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('scheduled_for', router.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('scheduled_until', router.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', router.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incidents'))
    )
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index('ix_incidents_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_incidents_kind_status', ['kind', 'status'], unique=False)

    op.create_table('subscribers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('customer_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', router.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('stopped_at', router.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscribers')),
    sa.UniqueConstraint('phone', name=op.f('uq_subscribers_phone'))
    )
    op.create_table('component_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('component_id', sa.String(length=64), nullable=False),
    sa.Column('at', router.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_component_changes_incident_id_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_component_changes'))
    )
    with op.batch_alter_table('component_changes', schema=None) as batch_op:
        batch_op.create_index('ix_component_changes_component_at', ['component_id', 'at'], unique=False)

    op.create_table('incident_components',
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('component_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_components_incident_id_incidents')),
    sa.PrimaryKeyConstraint('incident_id', 'component_id', name=op.f('pk_incident_components'))
    )
    op.create_table('incident_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('actions', sa.Text(), nullable=True),
    sa.Column('by', sa.String(length=64), nullable=True),
    sa.Column('created_at', router.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', router.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('display_at', router.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_updates_incident_id_incidents')),
    sa.Column('notified_at', router.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_updates'))
    )
    with op.batch_alter_table('incident_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_updates_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_updates_notified_at'), ['notified_at'], unique=False)

    op.create_table('subscriber_components',
    sa.Column('subscriber_id', sa.Integer(), nullable=False),
    sa.Column('component_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['subscriber_id'], ['subscribers.id'], name=op.f('fk_subscriber_components_subscriber_id_subscribers')),
    sa.PrimaryKeyConstraint('subscriber_id', 'component_id', name=op.f('pk_subscriber_components'))
    )
    with op.batch_alter_table('subscriber_components', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subscriber_components_component_id'), ['component_id'], unique=False)

    op.create_table('status_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscriber_id', sa.Integer(), nullable=False),
    sa.Column('update_id', sa.Integer(), nullable=False),
    sa.Column('to_number', sa.String(length=32), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('due_at', router.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', router.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('twilio_sid', sa.String(length=64), nullable=True),
    sa.Column('error', sa.String(length=300), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', router.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', router.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', router.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['subscriber_id'], ['subscribers.id'], name=op.f('fk_status_messages_subscriber_id_subscribers')),
    sa.ForeignKeyConstraint(['update_id'], ['incident_updates.id'], name=op.f('fk_status_messages_update_id_incident_updates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_status_messages')),
    sa.UniqueConstraint('twilio_sid', name=op.f('uq_status_messages_twilio_sid')),
    sa.UniqueConstraint('update_id', 'subscriber_id', name=op.f('uq_status_messages_update_id'))
    )
    with op.batch_alter_table('status_messages', schema=None) as batch_op:
        batch_op.create_index('ix_status_messages_status_due', ['status', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_status_messages_subscriber_id'), ['subscriber_id'], unique=False)

    op.create_table('update_component_changes',
    sa.Column('update_id', sa.Integer(), nullable=False),
    sa.Column('component_id', sa.String(length=64), nullable=False),
    sa.Column('old_status', sa.String(length=24), nullable=False),
    sa.Column('new_status', sa.String(length=24), nullable=False),
    sa.ForeignKeyConstraint(['update_id'], ['incident_updates.id'], name=op.f('fk_update_component_changes_update_id_incident_updates')),
    sa.PrimaryKeyConstraint('update_id', 'component_id', name=op.f('pk_update_component_changes'))
    )
    op.create_table('incident_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=64), nullable=True),
    sa.Column('person_id', sa.String(length=64), nullable=True),
    sa.Column('to_number', sa.String(length=32), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('twilio_sid', sa.String(length=64), nullable=True),
    sa.Column('error', sa.String(length=300), nullable=True),
    sa.Column('created_at', router.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', router.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_reminders_incident_id_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_reminders')),
    sa.UniqueConstraint('twilio_sid', name=op.f('uq_incident_reminders_twilio_sid'))
    )
    with op.batch_alter_table('incident_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_reminders_incident_id'), ['incident_id'], unique=False)

    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('announced', sa.String(length=200), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_column('announced')

    with op.batch_alter_table('incident_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_reminders_incident_id'))

    op.drop_table('incident_reminders')
    op.drop_table('update_component_changes')
    with op.batch_alter_table('status_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_status_messages_subscriber_id'))
        batch_op.drop_index('ix_status_messages_status_due')

    op.drop_table('status_messages')
    with op.batch_alter_table('subscriber_components', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subscriber_components_component_id'))

    op.drop_table('subscriber_components')
    with op.batch_alter_table('incident_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_updates_incident_id'))

    with op.batch_alter_table('incident_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_updates_notified_at'))
    op.drop_table('incident_updates')
    op.drop_table('incident_components')
    with op.batch_alter_table('component_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_component_changes_component_at')

    op.drop_table('component_changes')
    op.drop_table('subscribers')
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index('ix_incidents_kind_status')
        batch_op.drop_index('ix_incidents_created_at')

    op.drop_table('incidents')
    op.drop_table('external_statuses')
    op.drop_table('component_states')
