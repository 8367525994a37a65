"""Domain models, one module per domain. Importing this package registers
every table on FAB's declarative ``Model.metadata`` (the one Alembic uses)."""
from flask_appbuilder import Model

from portal.core.audit import AuditEntry
from portal.models.accounts import AgreementAcceptance, AgreementVersion, PortalUser
from portal.models.catalog import Category, Region, Specialization
from portal.models.complaints import Complaint, ComplaintNote
from portal.models.messages import Attachment, Message, Thread
from portal.models.notifications import MailOutbox, Notification, NotificationPreference
from portal.models.practitioners import PractitionerProfile
from portal.models.requests import Offer, ServiceRequest
from portal.models.reviews import Review
from portal.models.search import SearchOutbox
from portal.models.security import LoginEvent, PasswordResetToken, UserSession
from portal.models.support import SupportConversation, SupportMessage
from portal.models.verification import (
    Interview,
    PracticeNotice,
    ProfileDocument,
    QuizAttempt,
    QuizOption,
    QuizQuestion,
)

metadata = Model.metadata

__all__ = [
    "AgreementAcceptance",
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
