"""Translated labels for stored codes (statuses, roles, kinds) shown to users.
Templates use the ``label`` filter: ``{{ profile.status|label }}``."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

LABELS = {
    # account statuses and roles
    "active": _l("Active"), "blocked": _l("Blocked"), "closed": _l("Closed"),
    "Admin": _l("Administrator"), "Moderator": _l("Moderator"), "Client": _l("Client"),
    "Practitioner": _l("Practitioner"), "Public": _l("Visitor"),
    # practitioner statuses
    "draft": _l("Draft"), "submitted": _l("Under review"), "quiz_passed": _l("Quiz passed"),
    "interview_scheduled": _l("Interview scheduled"), "approved": _l("Verified"),
    "rejected": _l("Rejected"), "warned": _l("Warned"), "suspended": _l("Suspended"),
    "revoked": _l("Revoked"),
    # request and offer statuses
    "open": _l("Open"), "in_progress": _l("In progress"), "completed": _l("Completed"),
    "cancelled": _l("Cancelled"), "expired": _l("Expired"), "accepted": _l("Accepted"),
    "declined": _l("Declined"), "withdrawn": _l("Withdrawn"),
    # booking statuses ("declined", "cancelled" and "no_show" are above)
    "requested": _l("Awaiting confirmation"), "confirmed": _l("Confirmed"), "attended": _l("Attended"),
    # price kinds
    "fixed": _l("Fixed price"), "from": _l("Price from"), "hourly": _l("Per hour"),
    # review statuses
    "published": _l("Published"), "hidden": _l("Hidden"),
    # block reasons (agreement 11.4)
    "duplicate": _l("Duplicate account"), "suspicious_activity": _l("Suspicious activity"),
    "many_complaints": _l("Many complaints"), "malware": _l("Malware on the device"),
    "frequent_ip_device_change": _l("Frequent IP or device changes"), "other": _l("Other"),
    # interview modes and outcomes
    "in_person": _l("In person"), "phone": _l("By phone"), "pending": _l("Pending"),
    "passed": _l("Passed"), "failed": _l("Failed"), "no_show": _l("Did not come"),
    # documents of an application ("other": see above)
    "photo": _l("Photo"), "licence": _l("Licence copy"),
    # decisions the practitioner is told about (PracticeNotice.action)
    "approve": _l("Application approved"), "reject": _l("Application not approved"),
    "warn": _l("Strict warning"), "suspend": _l("Practice suspended"), "revoke": _l("Status revoked"),
    "reinstate": _l("Practice reinstated"), "allow_reapply": _l("You may apply again"),
    "back_to_review": _l("Sent back to review after a change of licence data"),
    # flag reasons
    "negative_reviews": _l("Three or more negative reviews"),
    # account security events in the audit trail (services.password_reset)
    "not_me": _l("Reported a sign-in they did not make"), "password_reset": _l("Password reset by email"),
    "staff_edit": _l("Edited in the back office"),  # services.backoffice
    # support conversations (services.support; "open"/"closed": see above)
    "chat": _l("Chat with a user"), "feedback": _l("Visitor's feedback form"),
    # complaints and reports of inaccurate information (services.complaints; "other": see above)
    "complaint": _l("Complaint"), "inaccuracy": _l("Inaccurate information"),
    "new": _l("New"), "in_review": _l("In review"), "resolved": _l("Resolved"), "dismissed": _l("Dismissed"),
    "profile": _l("Practitioner profile"), "review": _l("Review"), "request": _l("Request"),
    "offer": _l("Offer"), "message": _l("Message"),
    "fraud": _l("Fraud or deception"), "fake_profile": _l("Fake profile or impersonation"),
    "offensive": _l("Offensive or discriminatory content"), "spam": _l("Spam or advertising"),
    "illegal_content": _l("Violates the law or someone's rights"),
    "harmful_links": _l("Viruses or harmful links"),
    "wrong_name": _l("Wrong name"), "wrong_licence": _l("Wrong licence details"),
    "wrong_contact": _l("Wrong city, region or contact details"), "wrong_other": _l("Other outdated or wrong details"),
}


def label(code) -> str:
    if code is None:
        return ""
    return str(LABELS.get(str(code), code))
