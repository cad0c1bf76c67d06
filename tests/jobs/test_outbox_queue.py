"""Queueing a notification: one row per key, the right delivery, the message rendered at queue time, and the
delivery job enqueued only once the transaction has committed."""
from __future__ import annotations

import pytest
from rq import Queue
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Audience,
    Delivery,
    LAContact,
    LAContactKind,
    Notification,
    NotificationPreference,
    NotificationStatus,
    School,
    User,
)
from app.services.notifications import (
    MissingLAContact,
    notify_local_authority,
    queue_for_users,
    queue_notification,
)
from jobs.connection import EMAIL, URGENT, queue_name, redis_connection
from tenants import school_scope, system_scope
from tests.jobs.outbox_fixtures import all_notifications

NOTICE = {"subject": "Placement review due", "paragraphs": ["The half-termly review is due on Friday."],
          "school_name": "Alder School"}


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _queue(user: User, key: str, **kwargs) -> Notification:
    return queue_notification(dedupe_key=key, audience=kwargs.pop("audience", Audience.STAFF),
                              recipient_email=user.email, recipient_name=user.full_name, recipient_user=user,
                              template="notice", context=kwargs.pop("context", NOTICE), **kwargs)


def _jobs_on(queue: str) -> list[str]:
    return Queue(queue_name(queue), connection=redis_connection()).get_job_ids()


def test_the_same_key_is_queued_once_in_one_transaction_and_across_transactions(app, world):
    with school_scope(world.a.id):
        user = _user("a.dsl@test.example.org")
        first = _queue(user, "review-due:1:dsl")
        again = _queue(user, "review-due:1:dsl")
        assert again is first
        db.session.commit()
        later = _queue(user, "review-due:1:dsl", context={**NOTICE, "subject": "Something else"})
        db.session.commit()
        assert later.id == first.id and later.subject == "Placement review due"
    rows = all_notifications()
    assert [r.dedupe_key for r in rows] == ["review-due:1:dsl"]
    assert len(_jobs_on(EMAIL)) == 1  # and one delivery job, not three


def test_staff_choice_of_digest_is_honoured_but_urgent_and_external_go_at_once(app, world):
    with school_scope(world.a.id):
        digest_user = _user("a.dsl@test.example.org")
        digest_user.notification_preference = NotificationPreference.DAILY_DIGEST
        immediate_user = _user("a.headteacher@test.example.org")
        db.session.flush()
        prompt = _queue(digest_user, "k1")
        urgent = _queue(digest_user, "k2", urgent=True)
        straight = _queue(immediate_user, "k3")
        # A parent is never held for a digest, even when the address belongs to a staff account too.
        parent = _queue(digest_user, "k4", audience=Audience.PARENT)
        db.session.commit()
        assert (prompt.delivery, urgent.delivery, straight.delivery, parent.delivery) == (
            Delivery.DIGEST, Delivery.IMMEDIATE, Delivery.IMMEDIATE, Delivery.IMMEDIATE)
        expected_urgent = [f"deliver-notification-{urgent.id}-0-0"]
        expected_email = sorted(f"deliver-notification-{n.id}-0-0" for n in (straight, parent))
    # Urgent prompts on their own queue; the digest prompt is not enqueued at all (it waits for 07:00).
    assert _jobs_on(URGENT) == expected_urgent
    assert sorted(_jobs_on(EMAIL)) == expected_email


def test_the_message_is_rendered_when_queued_escaped_in_html_and_on_one_subject_line(app, world):
    context = {"subject": "Review due\nBcc: someone@example.org", "paragraphs": ["Pupil <b>P7</b> & friends"],
               "school_name": "Alder School"}
    with school_scope(world.a.id):
        n = _queue(_user("a.dsl@test.example.org"), "render:1", context=context, about_type="Pupil",
                   about_id=7, about_label="Pupil P7")
        db.session.commit()
        assert n.subject == "Review due Bcc: someone@example.org"  # newlines collapsed: no header injection
        assert "Pupil <b>P7</b> & friends" in n.body_text
        assert "Pupil &lt;b&gt;P7&lt;/b&gt; &amp; friends" in n.body_html
        assert n.body_text.startswith("Dear A Designated Safeguarding Lead (DSL),")
        assert n.status is NotificationStatus.PENDING and n.attempts == 0
        assert n.school_id == world.a.id and n.about_label == "Pupil P7"
        assert n.message_id.startswith("<aphub-") and n.message_id.endswith("@aphub.example.org>")
        assert n.context == context


def test_nothing_is_enqueued_for_a_transaction_that_rolls_back(app, world):
    with school_scope(world.a.id):
        _queue(_user("a.dsl@test.example.org"), "rolled-back:1")
        db.session.rollback()
        _queue(_user("a.dsl@test.example.org"), "committed:1")
        db.session.commit()
    assert [n.dedupe_key for n in all_notifications()] == ["committed:1"]
    assert len(_jobs_on(EMAIL)) == 1


def test_the_context_must_be_storable(app, world):
    with school_scope(world.a.id):
        with pytest.raises(TypeError, match="stored as JSON"):
            _queue(_user("a.dsl@test.example.org"), "bad:1", context={**NOTICE, "pupil": object()})


def test_queue_for_users_sends_each_active_person_once(app, world):
    with school_scope(world.a.id):
        dsl = _user("a.dsl@test.example.org")
        head = _user("a.headteacher@test.example.org")
        gone = _user("a.staff@test.example.org")
        gone.is_enabled = False
        queued = queue_for_users([dsl, head, dsl, gone], dedupe_key="absence:99", template="notice",
                                 context=NOTICE, urgent=True)
        db.session.commit()
        assert sorted(n.dedupe_key for n in queued) == sorted([f"absence:99:user:{dsl.id}",
                                                               f"absence:99:user:{head.id}"])
        assert {n.recipient_email for n in queued} == {"a.dsl@test.example.org", "a.headteacher@test.example.org"}
        assert all(n.urgent and n.school_id == world.a.id for n in queued)


@pytest.mark.parametrize("kind, email, audience", [
    (LAContactKind.AP_NOTIFICATIONS, "ap@la.example.org", Audience.LOCAL_AUTHORITY),
    (Audience.LOCAL_AUTHORITY, "ap@la.example.org", Audience.LOCAL_AUTHORITY),
    (LAContactKind.VIRTUAL_SCHOOL_HEAD, "vsh@la.example.org", Audience.VIRTUAL_SCHOOL),
    (Audience.VIRTUAL_SCHOOL, "vsh@la.example.org", Audience.VIRTUAL_SCHOOL),
    (LAContactKind.SEND, "send@la.example.org", Audience.LOCAL_AUTHORITY),
])
def test_local_authority_notices_go_to_the_school_las_contact(app, world, kind, email, audience):
    with school_scope(world.a.id):
        school = db.session.get(School, world.a.id)
        n = notify_local_authority(school, kind, template="notice", context=NOTICE, dedupe_key="la:1",
                                   about_type="Placement", about_id=41, about_label="Pupil P7 at Hive Room")
        db.session.commit()
        assert (n.recipient_email, n.audience, n.school_id) == (email, audience, world.a.id)
        assert n.delivery is Delivery.IMMEDIATE and n.about_label == "Pupil P7 at Hive Room"


def test_a_missing_la_contact_is_refused_clearly(app, world):
    with system_scope("test: archive the LA's SEND contact"):
        contact = db.session.scalar(select(LAContact).where(LAContact.kind == LAContactKind.SEND))
        contact.archived_at = contact.created_at
        db.session.commit()
    with school_scope(world.a.id):
        school = db.session.get(School, world.a.id)
        with pytest.raises(MissingLAContact, match="Testshire Council has no 'SEND team \\(EHCP\\)' contact"):
            notify_local_authority(school, LAContactKind.SEND, template="notice", context=NOTICE,
                                   dedupe_key="ehcp:1")
        with pytest.raises(ValueError, match="parent is not a local authority audience"):
            notify_local_authority(school, Audience.PARENT, template="notice", context=NOTICE, dedupe_key="p:1")
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_prefetched_keys_are_answered_without_a_query_each_and_never_queued_twice(world):
    """A sweep looks its emails' keys up in one query (prefetch_notification_keys); the answers hold for the
    transaction, and a key queued meanwhile is found, not queued again."""
    from sqlalchemy import event

    from app.services.notifications import existing_notification, prefetch_notification_keys

    user = _user("a.dsl@test.example.org")
    with school_scope(world.a.id):
        _queue(user, "sent-before")
        db.session.commit()
        prefetch_notification_keys(["sent-before", "new-1", "new-2"])
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert existing_notification("new-1") is None
            assert existing_notification("new-2") is None
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert statements == []  # answered from the prefetch
        assert existing_notification("sent-before") is not None  # found: not remembered as absent
        first = _queue(user, "new-1")
        assert existing_notification("new-1") is first  # queued in this transaction: found, not absent
        assert _queue(user, "new-1") is first
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Notification)
                                 .where(Notification.dedupe_key == "new-1")) == 1
