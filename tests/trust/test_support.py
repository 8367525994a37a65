"""Support (agreement 5.6, 12.1): the visitors' feedback form, a user's chat
with support, the staff inbox.

Services: validation (every wrong field at once, nothing saved), one chat
per user reopened by a new message, read marks and unread counts on both
sides, replies (an email to a visitor in the language they wrote in; an
in-app notification and an email to a user in theirs) through a real SMTP
server on loopback, closing and reopening with audit entries, staff-only
access. HTTP: the pages, input kept on errors, the navbar badges, IDOR, the
rate limit of the feedback form on an app with the limiter switched on."""
from __future__ import annotations

import html
import re

import pytest
from flask_babel import force_locale
from sqlalchemy import event, select
from sqlalchemy import inspect as sa_inspect

from config import TestConfig
from portal.core.audit import AuditEntry
from portal.core.errors import NotFound
from portal.core.extensions import db
from portal.models.notifications import Notification
from portal.models.trust import SupportConversation, SupportKind, SupportMessage
from portal.services.notifications import inbox as notifications
from portal.services.notifications import kinds
from portal.services.trust import support
from tests.conftest import separate_app
from tests.factories import fails_without_change, make_user, notification_count, row_count, unique_email
from tests.notifications import test_notifications as mail_tests

# the loopback SMTP server of the notification tests, reused by name
settings = mail_tests.settings
smtp = mail_tests.smtp
text_of = mail_tests.text_of

EN = "?_l_=en"


@pytest.fixture
def people(app):
    sm = app.appbuilder.sm
    return dict(kk=make_user(sm, ("Client",), first_name="Айгерім", locale="kk"),
                ru=make_user(sm, ("Client", "Practitioner"), first_name="Ольга", locale="ru"),
                moderator=make_user(sm, ("Moderator",), first_name="Мира"),
                admin=make_user(sm, ("Admin",), first_name="Админ"))


def conversations(**filters) -> list[SupportConversation]:
    db.session.expire_all()
    return list(db.session.scalars(select(SupportConversation).filter_by(**filters)
                                   .order_by(SupportConversation.id)))


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def badge(response, css: str = "support-count") -> str | None:
    """The number in the navbar's support badge (None when there is none)."""
    found = re.search(rf'<li class="support-link">.*?<span class="badge [^"]*{css}[^"]*"[^>]*>([^<]+)</span>',
                      response.get_data(as_text=True), re.S)
    return found.group(1).strip() if found else None


# --- the feedback form (service) ------------------------------------------------------------------

def test_feedback_creates_a_conversation_with_the_visitors_email_and_language(app):
    conv = support.submit_feedback("  Visitor.One@Mail.KZ ", "  Как изменить данные в анкете?  ", "kk")
    [stored] = conversations(id=conv.id)
    assert (stored.kind, stored.email, stored.locale, stored.status, stored.user_id) == (
        SupportKind.FEEDBACK, "visitor.one@mail.kz", "kk", "open", None)
    [message] = stored.messages
    assert (message.body, message.from_staff, message.author_id) == ("Как изменить данные в анкете?", False, None)
    assert stored.last_message_at == message.created_at
    # an unknown language falls back to the default one
    assert support.submit_feedback("v2@mail.kz", "A question long enough", "xx").locale == app.config[
        "BABEL_DEFAULT_LOCALE"]


@pytest.mark.parametrize("email, body, fields", [
    ("", "A question long enough", {"email"}),
    ("not-an-email", "A question long enough", {"email"}),
    ("name@localhost", "A question long enough", {"email"}),
    ("a" * 250 + "@mail.kz", "A question long enough", {"email"}),
    ("ok@mail.kz", "", {"body"}),
    ("ok@mail.kz", "   \n  ", {"body"}),
    ("ok@mail.kz", "too short", {"body"}),
    ("ok@mail.kz", "x" * (support.MESSAGE_MAX + 1), {"body"}),
    ("nope", "short", {"email", "body"}),
])
def test_wrong_feedback_names_every_wrong_field_and_saves_nothing(app, email, body, fields):
    counts = ((SupportConversation, {}), (SupportMessage, {}))
    with fails_without_change(count_of=counts) as info:
        support.submit_feedback(email, body, "ru")
    errors = getattr(info.value, "errors", [info.value])
    assert {e.field for e in errors} == fields


def test_feedback_of_exactly_the_limits_is_accepted(app):
    assert support.submit_feedback("edge@mail.kz", "x" * support.FEEDBACK_MIN, "ru").messages[0].body
    assert len(support.submit_feedback("edge@mail.kz", "y" * support.MESSAGE_MAX, "ru").messages[0].body) == \
        support.MESSAGE_MAX


# --- the chat (service) ---------------------------------------------------------------------------

def test_one_chat_per_user_and_unread_counts_on_both_sides(app, people):
    user, staff = people["kk"], people["moderator"]
    waiting = support.unread_for_staff()
    assert support.chat_of(user) is None and support.unread_for_user(user.id) == 0

    first = support.write(user, "Сәлеметсіз бе! Сұрақ бар.")
    second = support.write(user, "Тағы бір сұрақ.")
    [conv] = conversations(user_id=user.id)
    assert first.conversation_id == second.conversation_id == conv.id
    assert (conv.kind, conv.locale, conv.email) == (SupportKind.CHAT, "kk", "")
    assert support.unread_for_staff() == waiting + 1  # one conversation, however many messages
    assert support.unread_staff_messages(conv) == 2
    assert support.unread_for_user(user.id) == 0  # their own messages are not "unread"

    support.mark_read_by_staff(conv)
    assert support.unread_for_staff() == waiting and support.unread_staff_messages(conv) == 0

    support.reply(staff, conv.id, "Сәлеметсіз бе! Көмектесеміз.")
    support.reply(staff, conv.id, "Тағы бір жауап.")
    assert support.unread_for_user(user.id) == 2
    assert support.unread_for_staff() == waiting  # staff's own replies wait for nobody
    assert notification_count(user, support.REPLY_KIND) == 2

    support.mark_read_by_user(user)
    assert support.unread_for_user(user.id) == 0
    db.session.expire_all()
    assert all(n.read_at for n in db.session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.kind == support.REPLY_KIND)))

    support.write(user, "Рақмет!")
    assert support.unread_for_staff() == waiting + 1


def test_an_empty_or_too_long_chat_message_changes_nothing(app, people):
    user = people["ru"]
    support.write(user, "Первое сообщение")
    [conv] = conversations(user_id=user.id)
    for body in ("", "  ", "x" * (support.MESSAGE_MAX + 1)):
        with fails_without_change(conv, field="body", count_of=((SupportMessage, {"conversation_id": conv.id}),)):
            support.write(user, body)
        with fails_without_change(conv, field="body", count_of=((SupportMessage, {"conversation_id": conv.id}),)):
            support.reply(people["moderator"], conv.id, body)


def test_only_staff_reach_a_conversation(app, people):
    user, other = people["kk"], people["ru"]
    support.write(user, "Моё личное сообщение")
    [conv] = conversations(user_id=user.id)
    for outsider in (user, other):
        with pytest.raises(NotFound):
            support.get_for_staff(outsider, conv.id)
        with fails_without_change(conv, error=NotFound, count_of=((SupportMessage, {}),)):
            support.reply(outsider, conv.id, "I pretend to be staff")
        with fails_without_change(conv, error=NotFound):
            support.close(outsider, conv.id)
    with pytest.raises(NotFound):
        support.get_for_staff(people["admin"], 999999)
    assert support.get_for_staff(people["admin"], conv.id).id == conv.id


def test_closing_and_reopening_are_audited_and_a_new_message_reopens(app, people):
    user, staff = people["ru"], people["moderator"]
    support.write(user, "Вопрос по соглашению")
    [conv] = conversations(user_id=user.id)

    support.close(staff, conv.id, "answered by phone")
    assert conversations(id=conv.id)[0].status == "closed"
    with fails_without_change(conv):
        support.close(staff, conv.id)
    with fails_without_change(conv, count_of=((SupportMessage, {"conversation_id": conv.id}),)):
        support.reply(staff, conv.id, "A reply to a closed conversation")

    support.reopen(staff, conv.id)
    with fails_without_change(conv):
        support.reopen(staff, conv.id)
    support.close(staff, conv.id)
    support.write(user, "Ещё вопрос")  # the user writes again: open once more, by the user
    assert conversations(id=conv.id)[0].status == "open"
    entries = support.history(conv.id)
    assert [(e.action, e.from_value, e.to_value, e.actor_id) for e in reversed(entries)] == [
        ("close", "open", "closed", staff.id), ("reopen", "closed", "open", staff.id),
        ("close", "open", "closed", staff.id), ("reopen", "closed", "open", user.id)]
    assert entries[-1].reason == "answered by phone"
    assert [e.entity for e in entries] == [support.ENTITY] * 4


def test_a_reply_to_a_blocked_user_is_refused(app, people):
    from portal.models.accounts import BlockReason
    from portal.services.accounts import blocking

    user = make_user(app.appbuilder.sm, ("Client",))
    support.write(user, "Help me please")
    [conv] = conversations(user_id=user.id)
    blocking.block(people["admin"], user.id, BlockReason.OTHER, "test")
    with fails_without_change(conv, count_of=((SupportMessage, {"conversation_id": conv.id}),)):
        support.reply(people["moderator"], conv.id, "You will not read this")


def test_inbox_filters_and_pages(app, people):
    staff = people["moderator"]
    tag = unique_email("inbox")
    feedback = support.submit_feedback(tag, "A visitor's question", "ru")
    user = make_user(app.appbuilder.sm, ("Client",))
    support.write(user, "A user's question")
    chat = support.chat_of(user)

    def ids(**kwargs):
        found = support.inbox(per_page=500, **kwargs)
        return {row.conversation.id: row.unread for row in found.items}

    assert feedback.id in ids(kind="feedback") and chat.id not in ids(kind="feedback")
    assert chat.id in ids(kind="chat") and feedback.id not in ids(kind="chat")
    assert ids(unread=True)[chat.id] == 1 and feedback.id in ids(unread=True)
    support.mark_read_by_staff(chat)
    assert chat.id not in ids(unread=True) and ids()[chat.id] == 0
    support.close(staff, feedback.id)
    assert feedback.id in ids(status="closed") and feedback.id not in ids(status="open")
    assert feedback.id in ids(status=None)

    # paging: newest activity first, pages of per_page
    first = support.inbox(page=1, per_page=1)
    second = support.inbox(page=2, per_page=1)
    assert first.total == second.total >= 2 and len(first.items) == len(second.items) == 1
    assert second.page == 2 and support.inbox(page=first.total + 5, per_page=1).page == first.total  # clamped
    assert not {r.conversation.id for r in first.items} & {r.conversation.id for r in second.items}
    assert first.items[0].conversation.id == chat.id  # the latest activity


def test_inbox_shows_the_newest_message_of_each_conversation_in_one_query(app, people):
    staff = people["moderator"]
    users = [make_user(app.appbuilder.sm, ("Client",)) for _ in range(3)]
    for n, user in enumerate(users):
        support.write(user, f"First question {n}")
        support.reply(staff, support.chat_of(user).id, f"Staff answer {n}")
        support.write(user, f"Newest words {n}")
    ids = {support.chat_of(u).id: n for u, n in zip(users, range(3), strict=True)}
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    db.session.expunge_all()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        found = support.inbox(per_page=500).items
        rows = [r for r in found if r.conversation.id in ids]
        lasts = {r.conversation.id: r.last.body for r in rows}
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert lasts == {cid: f"Newest words {n}" for cid, n in ids.items()}
    # only the newest message of each conversation was loaded, not its whole list
    assert all("messages" in sa_inspect(r.conversation).unloaded for r in rows)
    loaded = [o for o in db.session.identity_map.values() if isinstance(o, SupportMessage)]
    assert len(loaded) == sum(r.last is not None for r in found)
    assert all(r.unread == 1 for r in rows)  # the reply marked the first question read
    # count, conversations, their users, unread counts, last messages: no message list per conversation
    assert len(statements) <= 5, statements
    assert sum("support_message" in s for s in statements) == 2


def test_the_inbox_page_counts_waiting_conversations_once(app, client, login_as, people):
    support.write(people["kk"], "Waiting for an answer")
    login_as(people["moderator"])
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get("/moderation/support/" + EN)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    page = page_text(response)
    waiting = support.unread_for_staff()
    assert f"{waiting} conversation" in page and badge(response) == str(waiting)
    assert "Waiting for an answer" in page  # the snippet of the newest message
    unread_counts = [s for s in statements if "count(support_conversation.id)" in s.lower()]
    assert len(unread_counts) == 1, unread_counts


# --- replies by email: a visitor and a user, in kk and ru ----------------------------------------

@pytest.mark.parametrize("locale", ["kk", "ru"])
def test_a_reply_to_feedback_is_emailed_to_the_visitor_in_their_language(app, client, smtp, people, locale):
    email = unique_email(f"visitor-{locale}")
    question = f"Question <b>in {locale}</b>: how do I complain?"
    response = client.post(f"/support/feedback?_l_={locale}", data={"email": email.upper(), "body": question})
    assert response.status_code == 302
    [conv] = conversations(email=email)
    assert conv.locale == locale

    support.reply(people["moderator"], conv.id, "Answer & <i>details</i>")
    [message] = smtp.to(email)
    with force_locale(locale):
        from flask_babel import gettext

        subject = gettext("Reply from %(app)s support", app=app.config.get("APP_NAME", "AlemTrust"))
        intro = gettext("%(app)s support has answered your message.", app=app.config.get("APP_NAME", "AlemTrust"))
    assert message["Subject"] == subject and message["Content-Language"] == locale
    text, body_html = text_of(message, "plain"), text_of(message, "html")
    assert "Answer & <i>details</i>" in text and question in text and intro in text
    assert "Answer &amp; &lt;i&gt;details&lt;/i&gt;" in body_html and "<i>" not in body_html  # escaped
    assert f'lang="{locale}"' in body_html
    assert mail_tests.BASE_URL + "/support/feedback" in text


@pytest.mark.parametrize("locale", ["kk", "ru"])
def test_a_chat_reply_notifies_the_user_in_app_and_by_email_in_their_language(app, smtp, people, locale):
    user = people[locale]
    support.write(user, "Вопрос")
    support.reply(people["admin"], support.chat_of(user).id, "Ответ поддержки")
    [row] = db.session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                          Notification.kind == support.REPLY_KIND)).all()
    assert row.link == "/support/" and row.in_app
    [message] = smtp.to(user.email)
    assert message["Subject"] == mail_tests.in_locale(locale, support.REPLY_KIND)
    assert message["Content-Language"] == locale
    assert mail_tests.BASE_URL + "/support/" in text_of(message, "plain")


# --- pages ----------------------------------------------------------------------------------------

def test_feedback_page_for_visitors_and_signed_in_users(app, client, login_as, people):
    response = client.get("/support/feedback" + EN)
    assert response.status_code == 200
    page = page_text(response)
    assert 'name="email"' in page and 'name="body"' in page and "Contact support" in page
    login_as(people["kk"])
    response = client.get("/support/feedback")
    assert response.status_code == 302 and response.headers["Location"].endswith("/support/")
    before = row_count(SupportConversation)
    assert client.post("/support/feedback", data={"email": "x@mail.kz", "body": "A long enough question"}
                       ).status_code == 302
    assert row_count(SupportConversation) == before  # a signed-in user writes in their chat instead


def test_wrong_feedback_keeps_the_input_and_shows_the_errors(app, client):
    before = row_count(SupportConversation)
    hostile = '<i>hi</i>'  # 9 characters: too short, kept and escaped
    response = client.post("/support/feedback" + EN, data={"email": "not an email", "body": ""})
    assert response.status_code == 400
    page = page_text(response)
    assert "Enter a valid email address" in page and "Write your message." in page
    assert 'value="not an email"' in page
    assert page.count('aria-invalid="true"') == 2

    response = client.post("/support/feedback" + EN, data={"email": "ok@mail.kz", "body": hostile})
    assert response.status_code == 400
    raw = response.get_data(as_text=True)
    assert "<i>hi" not in raw and "&lt;i&gt;hi&lt;/i&gt;" in raw  # kept, escaped
    assert 'value="ok@mail.kz"' in raw and "Write at least 10 characters." in page_text(response)
    assert row_count(SupportConversation) == before

    response = client.post("/support/feedback" + EN, data={"email": "ok@mail.kz", "body": "A proper question"},
                           follow_redirects=True)
    assert response.status_code == 200 and "Support will answer by email at ok@mail.kz" in page_text(response)
    assert row_count(SupportConversation) == before + 1


def test_chat_both_ways_over_http_with_badges(app, client, login_as, people):
    user, staff = people["ru"], people["moderator"]
    login_as(user)
    page = page_text(client.get("/support/" + EN))
    assert "Chat with support" in page and "No messages yet." in page
    assert badge(client.get("/support/")) is None

    assert client.post("/support/send", data={"body": ""}).status_code == 400
    response = client.post("/support/send" + EN, data={"body": "x" * (support.MESSAGE_MAX + 1)})
    assert response.status_code == 400 and "At most 5000 characters." in page_text(response)
    assert "x" * support.MESSAGE_MAX in page_text(response)  # the text is kept
    assert client.post("/support/send", data={"body": "<b>Нужна помощь</b> с заявкой"}).status_code == 302
    conv = support.chat_of(user)

    login_as(staff)
    inbox = client.get("/moderation/support/" + EN)
    assert inbox.status_code == 200
    waiting = support.unread_for_staff()
    assert badge(inbox) == str(waiting) and waiting >= 1
    assert f'data-conversation="{conv.id}"' in inbox.get_data(as_text=True)
    shown = client.get(f"/moderation/support/{conv.id}" + EN)
    raw = shown.get_data(as_text=True)
    assert "&lt;b&gt;Нужна помощь&lt;/b&gt;" in raw and "<b>Нужна" not in raw
    assert "1 new message" in page_text(shown)
    assert support.unread_for_staff() == waiting - 1  # opening marks it read
    assert client.post(f"/moderation/support/{conv.id}/reply", data={"body": " "}).status_code == 400
    response = client.post(f"/moderation/support/{conv.id}/reply", data={"body": "Поможем, опишите подробнее"})
    assert response.status_code == 302

    login_as(user)
    home = client.get("/", follow_redirects=True)
    assert badge(home) == "1"
    chat = page_text(client.get("/support/" + EN))
    assert "Поможем, опишите подробнее" in chat and chat.index("Нужна помощь") < chat.index("Поможем")
    assert 'id="latest"' in chat
    assert badge(client.get("/", follow_redirects=True)) is None  # read on open
    assert support.unread_for_user(user.id) == 0


def test_a_user_never_sees_another_users_conversation(app, client, login_as, people):
    support.write(people["kk"], "Секрет Айгерім")
    conv = support.chat_of(people["kk"])
    login_as(people["ru"])
    assert "Секрет Айгерім" not in page_text(client.get("/support/"))
    for path in ("/moderation/support/", f"/moderation/support/{conv.id}"):
        assert client.get(path).status_code == 403
    before = row_count(SupportMessage, conversation_id=conv.id)
    assert client.post(f"/moderation/support/{conv.id}/reply", data={"body": "hijack"}).status_code == 403
    assert client.post(f"/moderation/support/{conv.id}/close").status_code == 403
    assert row_count(SupportMessage, conversation_id=conv.id) == before
    assert conversations(id=conv.id)[0].status == "open"
    # a visitor is sent to the login page
    client.post("/logout/")
    assert "/login/" in client.get("/moderation/support/").headers["Location"]
    assert "/login/" in client.get("/support/").headers["Location"]


def test_staff_close_and_reopen_from_the_conversation_page(app, client, login_as, people):
    support.write(people["kk"], "Сұрақ")
    conv = support.chat_of(people["kk"])
    login_as(people["admin"])
    response = client.post(f"/moderation/support/{conv.id}/close", data={"note": "done"}, follow_redirects=True)
    assert response.status_code == 200 and conversations(id=conv.id)[0].status == "closed"
    assert "Reopen the conversation" in page_text(client.get(f"/moderation/support/{conv.id}" + EN))
    assert 'name="body"' not in page_text(client.get(f"/moderation/support/{conv.id}"))
    assert client.post(f"/moderation/support/{conv.id}/close").status_code == 302  # refused with a flash
    assert len(db.session.scalars(select(AuditEntry).where(AuditEntry.entity == support.ENTITY,
                                                           AuditEntry.entity_id == conv.id)).all()) == 1
    client.post(f"/moderation/support/{conv.id}/reopen")
    assert conversations(id=conv.id)[0].status == "open"
    assert client.get("/moderation/support/999999").status_code == 404
    assert client.post("/moderation/support/999999/reply", data={"body": "x"}).status_code == 404
    # inbox filters answer and keep their values
    page = client.get("/moderation/support/?status=all&kind=chat&unread=1&page=2" + EN)
    assert page.status_code == 200
    assert '<option value="chat" selected>' in page.get_data(as_text=True)


# --- the rate limit of the feedback form ----------------------------------------------------------

class LimitedConfig(TestConfig):
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    SUPPORT_FEEDBACK_RATE_LIMIT = "2 per hour"


@pytest.fixture(scope="module")
def limited_app(app, tmp_path_factory):
    with separate_app(LimitedConfig, tmp_path_factory.mktemp("support-limited")) as application:
        yield application


def test_feedback_is_rate_limited_per_address(limited_app):
    client = limited_app.test_client()

    def send(ip, body="A question long enough", email="limit@mail.kz"):
        return client.post("/support/feedback?_l_=ru", data={"email": email, "body": body},
                           environ_base={"REMOTE_ADDR": ip})

    def stored():
        with limited_app.app_context():
            return db.session.scalar(select(db.func.count()).select_from(SupportConversation))

    assert send("10.9.0.1", body="short").status_code == 400  # a wrong form does not count
    assert send("10.9.0.1").status_code == 302
    assert send("10.9.0.1").status_code == 302
    assert stored() == 2
    refused = send("10.9.0.1")
    assert refused.status_code == 429 and "Слишком много попыток" in page_text(refused)
    assert stored() == 2
    assert client.get("/support/feedback", environ_base={"REMOTE_ADDR": "10.9.0.1"}).status_code == 200
    assert send("10.9.0.2").status_code == 302  # another address is not affected
    assert stored() == 3


def test_the_notification_kind_is_declared_for_everyone(app, people):
    spec = kinds.KINDS[support.REPLY_KIND]
    assert spec.audience == "any" and not spec.batched
    assert notifications.relevant(people["kk"], spec) and notifications.relevant(people["moderator"], spec)
    with force_locale("en"):
        assert kinds.title_for(support.REPLY_KIND, {}) == "Support answered your message"

