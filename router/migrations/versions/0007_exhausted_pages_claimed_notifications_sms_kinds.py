"""exhausted pages, claimed notifications with their SMS text, SMS outcome kinds

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:00:00
"""

import sqlalchemy as sa
from alembic import op

import router.models.base


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_at', router.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('body', sa.Text(), nullable=True))
    with op.batch_alter_table('inbound_sms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=24), server_default='ignored', nullable=False))
    # A page whose escalation ran out stayed "open" with no deadline: it is "exhausted" now.
    op.execute("UPDATE pages SET status = 'exhausted' WHERE status = 'open' AND next_escalation_at IS NULL")
    # The help limit read the outcome's words; it reads the kind now.
    op.execute("UPDATE inbound_sms SET kind = 'help' WHERE outcome LIKE 'not understood, help sent%'")
    op.execute("UPDATE inbound_sms SET kind = 'help withheld' WHERE outcome LIKE 'not understood, no help%'")
    op.execute("UPDATE inbound_sms SET kind = 'acknowledged' WHERE outcome LIKE 'acknowledged%'")
    op.execute("UPDATE inbound_sms SET kind = 'escalated' WHERE outcome LIKE 'escalated%'")


def downgrade() -> None:
    op.execute("UPDATE pages SET status = 'open' WHERE status = 'exhausted'")
    with op.batch_alter_table('inbound_sms', schema=None) as batch_op:
        batch_op.drop_column('kind')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('body')
        batch_op.drop_column('claimed_at')
