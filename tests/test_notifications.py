"""The notification log as each user sees it: audience, unread first, per-user read state, retention."""

from __future__ import annotations

import queue
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, text
from sqlmodel import select

from invtui.db.engine import Database
from invtui.db.listener import EventListener
from invtui.db.models import Notification, NotificationRead
from invtui.domain.events import Event
from invtui.domain.roles import SYSTEM, Actor
from invtui.errors import NotFound, ValidationError
from invtui.services import notifications


def post(db: Database, title: str, *, user: Actor | None = None, role: str | None = None,
         age_days: float = 0) -> int:
    """Write one notification (as the services do) and return its id; `age_days` back-dates it."""
    with db.transaction() as session:
        note = notifications.notify(session, kind="test", title=title,
                                    target_user_id=user.id if user else None, target_role=role)
        if age_days:
            note.created_at = datetime.now(timezone.utc) - timedelta(days=age_days)
        return note.id  # type: ignore[return-value]


def titles(db: Database, actor: Actor, **options: object) -> list[str]:
    with db.session() as session:
        return [n.title for n in notifications.list_for(session, actor, **options)]  # type: ignore[arg-type]


def unread(db: Database, actor: Actor) -> int:
    with db.session() as session:
        return notifications.unread_count(session, actor)


def read_marks(db: Database) -> int:
    with db.session() as session:
        return session.exec(select(func.count()).select_from(NotificationRead)).one()


def test_a_personal_notification_reaches_only_its_user(db: Database, operator: Actor, manager: Actor,
                                                        admin: Actor) -> None:
    post(db, "Your PO-000123 was approved", user=operator)
    assert titles(db, operator) == ["Your PO-000123 was approved"]
    assert titles(db, manager) == [] and titles(db, admin) == []


def test_a_role_notification_reaches_only_that_role(db: Database, operator: Actor, manager: Actor,
                                                    admin: Actor) -> None:
    post(db, "PO-000124 waits for approval", role="manager")
    assert titles(db, manager) == ["PO-000124 waits for approval"]
    assert titles(db, operator) == [] and titles(db, admin) == []


def test_a_notification_for_everyone_reaches_every_role(db: Database, actors: dict) -> None:
    post(db, "Out of stock: BOLT-M6 at WH1-A-03")
    assert all(titles(db, actor) == ["Out of stock: BOLT-M6 at WH1-A-03"] for actor in actors.values())


def test_unread_come_first_then_newest_first(db: Database, operator: Actor) -> None:
    old = post(db, "old", age_days=2)
    post(db, "middle", age_days=1)
    post(db, "new")
    with db.session() as session:
        notifications.mark_read(session, operator, [old])
        notifications.mark_read(session, operator, [post(db, "newest but read")])
    assert titles(db, operator) == ["new", "middle", "newest but read", "old"]
    assert titles(db, operator, unread_only=True) == ["new", "middle"]


def test_pages_follow_each_other_without_repeats_or_gaps(db: Database, operator: Actor) -> None:
    for n in range(7):
        post(db, f"n{n}", age_days=(7 - n) / 100)
    with db.session() as session:
        notifications.mark_read(session, operator, [notifications.list_for(session, operator)[0].id])
    seen: list[str] = []
    after = None
    while True:
        with db.session() as session:
            page = notifications.list_for(session, operator, after=after, limit=3)
        if not page:
            break
        seen += [n.title for n in page]
        after = page[-1].id
    assert seen == ["n5", "n4", "n3", "n2", "n1", "n0", "n6"]


def test_reading_is_per_user(db: Database, operator: Actor, manager: Actor) -> None:
    note = post(db, "Low stock: NUT-M6")
    with db.session() as session:
        assert notifications.mark_read(session, operator, [note]) == 1
    assert unread(db, operator) == 0 and unread(db, manager) == 1
    with db.session() as session:
        assert notifications.list_for(session, manager)[0].read_at is None


def test_mark_all_read_touches_only_the_readers_own_notifications(db: Database, operator: Actor,
                                                                   manager: Actor) -> None:
    post(db, "for all")
    post(db, "for managers", role="manager")
    post(db, "for the operator", user=operator)
    with db.session() as session:
        assert notifications.mark_all_read(session, operator) == 2
    assert unread(db, operator) == 0
    assert unread(db, manager) == 2
    assert read_marks(db) == 2


def test_marking_a_read_notification_again_changes_nothing(db: Database, operator: Actor) -> None:
    note = post(db, "once")
    with db.session() as session:
        assert notifications.mark_read(session, operator, [note]) == 1
        assert notifications.mark_read(session, operator, [note, note]) == 0
    assert read_marks(db) == 1


def test_marking_someone_elses_notification_is_refused_and_marks_nothing(db: Database, operator: Actor,
                                                                          manager: Actor) -> None:
    mine = post(db, "for everyone")
    theirs = post(db, "for the manager", user=manager)
    with db.session() as session, pytest.raises(NotFound, match=f"No notification #{theirs} for operator"):
        notifications.mark_read(session, operator, [mine, theirs])
    assert read_marks(db) == 0


@pytest.mark.parametrize("ids, message", [
    ([], "at least one"),
    (["abc"], "Notification id must be a whole number"),
    ([0], "Notification id must be a whole number"),
    ([-3], "Notification id must be a whole number"),
    ([1.5], "Notification id must be a whole number"),
    (["1; DROP TABLE notifications; --"], "Notification id must be a whole number"),
    ([999_999], "No notification #999999"),
])
def test_bad_ids_are_refused_and_mark_nothing(db: Database, operator: Actor, ids: list, message: str) -> None:
    post(db, "something")
    with db.session() as session, pytest.raises((ValidationError, NotFound), match=message):
        notifications.mark_read(session, operator, ids)
    assert read_marks(db) == 0 and unread(db, operator) == 1


@pytest.mark.parametrize("limit", [0, -1, 1001, "ten", 2.5])
def test_a_bad_page_size_is_refused(db: Database, operator: Actor, limit: object) -> None:
    with db.session() as session, pytest.raises(ValidationError, match="Page size must be a whole number"):
        notifications.list_for(session, operator, limit=limit)  # type: ignore[arg-type]


def test_paging_after_an_invisible_notification_is_not_found(db: Database, operator: Actor, manager: Actor) -> None:
    theirs = post(db, "private", user=manager)
    with db.session() as session, pytest.raises(NotFound):
        notifications.list_for(session, operator, after=theirs)


def test_the_system_user_has_no_read_state(db: Database) -> None:
    with db.session() as session, pytest.raises(ValidationError, match="system user"):
        notifications.unread_count(session, SYSTEM)


def test_unicode_and_sql_like_titles_are_stored_as_written(db: Database, operator: Actor) -> None:
    title = "Ausverkauft: Schraube M6 ✓ '; DROP TABLE notifications; --"
    post(db, title)
    assert titles(db, operator) == [title]


def test_retention_deletes_only_notifications_older_than_the_setting(db: Database, operator: Actor) -> None:
    old = post(db, "last quarter", age_days=91)
    post(db, "last month", age_days=30)
    with db.session() as session:
        notifications.mark_read(session, operator, [old])
    with db.session() as session:
        assert notifications.purge_older_than(session, 90) == 1
    assert titles(db, operator) == ["last month"]
    assert read_marks(db) == 0  # the read marks went with it


@pytest.mark.parametrize("days", [0, -5, "ninety", 3651])
def test_a_bad_retention_is_refused_and_deletes_nothing(db: Database, days: object) -> None:
    post(db, "ancient", age_days=5000)
    with db.session() as session, pytest.raises(ValidationError, match="Days to keep"):
        notifications.purge_older_than(session, days)  # type: ignore[arg-type]
    with db.session() as session:
        assert session.exec(select(func.count()).select_from(Notification)).one() == 1


def test_marking_read_tells_only_the_readers_other_sessions(db: Database, operator: Actor, manager: Actor) -> None:
    heard: queue.Queue[Event] = queue.Queue()
    note = post(db, "Low stock: NUT-M6")
    with EventListener.for_database(db, heard.put) as listener:
        assert listener.wait_connected()
        with db.session() as session:
            notifications.mark_read(session, operator, [note])
        event = next(e for e in iter(lambda: heard.get(timeout=5), None) if e.kind == "notifications.read")
    assert event.for_user == operator.id and event.get("count") == 1
    assert event.visible_to(operator) and not event.visible_to(manager)


def test_the_retention_job_uses_the_configured_days(db: Database, operator: Actor) -> None:
    post(db, "three weeks ago", age_days=21)
    post(db, "last week", age_days=7)
    assert notifications.apply_retention(db, keep_days=14) == 1
    assert titles(db, operator) == ["last week"]


def test_every_scheduler_runs_the_retention_job_with_the_configured_days(db: Database) -> None:
    from invtui.config import Settings
    from invtui.services.scheduler import Scheduler

    scheduler = Scheduler(db, Settings(notifications_keep_days=30), run_at_start=False)
    scheduler.start()
    try:
        job = scheduler._scheduler.get_job(notifications.RETENTION_JOB_ID)
        assert job is not None and job.name == "notification retention (30 days)"
    finally:
        scheduler.shutdown()


def test_nobody_is_notified_of_their_own_action(db: Database, actors) -> None:  # type: ignore[no-untyped-def]
    from invtui.domain.roles import Role
    from invtui.services import purchasing

    admin, manager = actors[Role.ADMIN], actors[Role.MANAGER]
    with db.transaction() as session:
        session.execute(text("INSERT INTO suppliers (code, name) VALUES ('ACME', 'Acme')"))
        session.execute(text("INSERT INTO products (sku, name, unit_price, cost_price) VALUES ('B1', 'Bolt', 1, 1)"))
    with db.transaction() as session:
        number = purchasing.create(session, admin, "ACME").number
    with db.transaction() as session:
        purchasing.add_line(session, admin, number, "B1", 5)
    with db.transaction() as session:
        purchasing.submit(session, admin, number)  # tells the managers; admin is not one
    with db.transaction() as session:
        purchasing.approve(session, admin, number)  # admin approves admin's own PO: no "Your PO was approved"
    assert not any("was approved" in t for t in titles(db, admin))
    assert unread(db, admin) == 0
    assert any("awaits approval" in t for t in titles(db, manager)) and unread(db, manager) == 1

    with db.transaction() as session:  # a manager who submits is not told that a PO awaits approval
        second = purchasing.create(session, manager, "ACME").number
    with db.transaction() as session:
        purchasing.add_line(session, manager, second, "B1", 5)
    with db.transaction() as session:
        purchasing.submit(session, manager, second)
    assert unread(db, manager) == 1  # only admin's PO
