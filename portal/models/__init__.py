"""Domain models, one module per domain. Importing this package registers
every table on FAB's declarative ``Model.metadata`` (the one Alembic uses)."""
from flask_appbuilder import Model

from portal.core.audit import AuditEntry
from portal.models.accounts import LoginEvent, PasswordResetToken, PortalUser, UserSession
from portal.models.agreement import AgreementAcceptance, AgreementVersion
from portal.models.bookings import (
    AvailabilityException,
    Booking,
    BookingRules,
    ServiceItem,
    WorkingHours,
)
from portal.models.catalog import Category, Region, Specialization
from portal.models.exchange import Attachment, Message, Offer, Review, ServiceRequest, Thread
from portal.models.notifications import MailOutbox, Notification, NotificationPreference
from portal.models.practitioners import (
    Interview,
    PracticeNotice,
    PractitionerProfile,
    ProfileDocument,
    QuizAttempt,
    QuizOption,
    QuizQuestion,
)
from portal.models.search import SearchOutbox
from portal.models.trust import Complaint, ComplaintNote, SupportConversation, SupportMessage

metadata = Model.metadata

__all__ = [
    "AgreementAcceptance",
    "AvailabilityException",
    "Booking",
    "BookingRules",
    "ServiceItem",
    "WorkingHours",
    "Complaint",
    "ComplaintNote",
    "LoginEvent",
    "PasswordResetToken",
    "SupportConversation",
    "SupportMessage",
    "UserSession",
    "Attachment",
    "MailOutbox",
    "Message",
    "Notification",
    "NotificationPreference",
    "Thread",
    "Interview",
    "PracticeNotice",
    "ProfileDocument",
    "QuizAttempt",
    "QuizOption",
    "QuizQuestion",
    "AgreementVersion",
    "AuditEntry",
    "Category",
    "Model",
    "Offer",
    "PortalUser",
    "PractitionerProfile",
    "Region",
    "Review",
    "SearchOutbox",
    "ServiceRequest",
    "Specialization",
    "metadata",
]
