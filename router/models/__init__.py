"""The service's tables, as SQLAlchemy 2 typed models."""

from router.models.base import Base, UTCDateTime
from router.models.calls import Call, CallEvent
from router.models.cases import CASE_NUMBER_OFFSET, Case, CaseTierChange
from router.models.engine import WorkerBeat
from router.models.oncall import ContactTest, OverrideRecord
from router.models.paging import InboundSms, Notification, Page, PageEvent
from router.models.status import (
    ComponentChange,
    ComponentState,
    ExternalStatus,
    Incident,
    IncidentComponent,
    IncidentReminder,
    IncidentUpdate,
    StatusMessage,
    Subscriber,
    SubscriberComponent,
    UpdateComponentChange,
)
from router.models.users import LoginFailure, Role, User

__all__ = ["Base", "UTCDateTime", "Call", "CallEvent", "Case", "CaseTierChange", "CASE_NUMBER_OFFSET", "Page",
           "PageEvent",
           "Notification", "InboundSms", "WorkerBeat", "OverrideRecord", "ContactTest", "User", "Role",
           "LoginFailure", "ComponentState", "ComponentChange", "Incident", "IncidentComponent", "IncidentUpdate",
           "UpdateComponentChange", "Subscriber", "SubscriberComponent", "StatusMessage", "ExternalStatus",
           "IncidentReminder"]
