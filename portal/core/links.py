"""Paths of the pages that notifications and emails point to. Services have
no request context, so they build links here rather than with url_for; a
test checks that each of these resolves to a real route."""
from __future__ import annotations


def request_page(request_id: int) -> str:
    return f"/requests/{request_id}"


def thread_page(thread_id: int) -> str:
    return f"/threads/{thread_id}"


def profile_page(profile_id: int) -> str:
    return f"/practitioners/{profile_id}"


def feed_page() -> str:
    return "/feed/"


def my_reviews_page() -> str:
    return "/my/reviews/list/"


def practice_page() -> str:
    return "/practice/"


def moderation_profile(profile_id: int) -> str:
    return f"/moderation/profiles/{profile_id}"


def support_page() -> str:
    return "/support/"


def support_feedback_page() -> str:
    return "/support/feedback"


def my_complaints_page() -> str:
    return "/complaints/"


def complaint_queue_item(complaint_id: int) -> str:
    return f"/moderation/complaints/{complaint_id}"


def account_security_page() -> str:
    return "/account/security/"


def password_reset(token: str) -> str:
    return f"/reset-password/{token}"


def staff_account(user_id: int) -> str:
    return f"/moderation/accounts/{user_id}"
