"""Cycle counts through the service: one session per location, lines that sum, a review in three
groups, posting that is all-or-nothing, once, and blind to stock that moved while counting."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from invtui.config import Settings
from invtui.db.engine import Database
from invtui.domain.roles import Actor
from invtui.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from invtui.services import counts, inventory

from count_world import world  # noqa: F401 (a fixture)
from stock_world import A, B, BOLT, BOLT_BARCODE, CLOSED, NUT, OLD, level


LENIENT = Settings(counts_approve_above_value=10**9, counts_approve_above_percent=100_000)


def ledger(db: Database, reference: str | None = None) -> list[tuple[str, str, int, str]]:
    with db.connect() as conn:
        return conn.execute(
            "SELECT p.sku, l.code, m.quantity_delta, m.reason FROM stock_movements m JOIN products p ON p.id = m.product_id"
            " JOIN locations l ON l.id = m.location_id WHERE m.kind = 'adjust'"
            + (" AND m.reference = %s" if reference else "") + " ORDER BY m.id",
            (reference,) if reference else ()).fetchall()


def by_sku(review: counts.Review) -> dict[str, counts.ReviewLine]:
    return {line.sku: line for line in review.lines}


def test_scans_sum_into_one_line_per_item_and_a_blind_count_hides_expected(world: Database, operator: Actor) -> None:
    with world.session() as s:
        cnt = counts.start(s, operator, A)
        assert cnt.blind and cnt.reference.startswith("CNT-") and cnt.status == "open"
        counts.scan(s, operator, cnt.reference, BOLT)
        line = counts.scan(s, operator, cnt.reference, BOLT_BARCODE, 4)  # the barcode is the same item
        assert (line.sku, line.counted, line.expected) == (BOLT, 5, None)
        shown, lines = counts.show(s, operator, cnt.reference)
    assert shown.lines == 1 and [(x.sku, x.counted, x.expected) for x in lines] == [(BOLT, 5, None)]


def test_unknown_codes_locations_and_inactive_products_are_refused_not_added(world: Database, operator: Actor) -> None:
    with world.session() as s:
        ref = counts.start(s, operator, A).reference
        with pytest.raises(NotFound, match="Unknown code 'NOPE'"):
            counts.scan(s, operator, ref, "NOPE")
        with pytest.raises(ValidationError, match="is a location"):
            counts.scan(s, operator, ref, B)
        with pytest.raises(ConflictError, match="inactive"):
            counts.scan(s, operator, ref, OLD)
        assert counts.show(s, operator, ref)[1] == []


def test_one_open_session_per_location_and_abandon_writes_nothing(world: Database, operator: Actor,
                                                                  manager: Actor) -> None:
    with world.session() as s:
        ref = counts.start(s, operator, A).reference
        with pytest.raises(ConflictError, match=f"already being counted: {ref} by operator"):
            counts.start(s, manager, A)
        counts.scan(s, operator, ref, BOLT, 3)
        assert counts.abandon(s, operator, ref).status == "abandoned"
        with pytest.raises(ConflictError, match="abandoned"):
            counts.post(s, operator, ref, reason="lost")
        assert counts.start(s, manager, A).status == "open"  # the location is free again
    assert ledger(world) == [] and level(world, BOLT, A) == (20, 0)
    with world.connect() as conn, pytest.raises(Exception, match="uq_count_sessions_one_open"):
        conn.execute("INSERT INTO count_sessions (location_id, owner_id) SELECT location_id, owner_id"
                     " FROM count_sessions WHERE status = 'open'")


def test_review_groups_missing_extra_matching_and_flags_moved(world: Database, operator: Actor,
                                                             manager: Actor) -> None:
    with world.session() as s:
        inventory.receive(s, operator, NUT, B, 2)  # the nuts also live at B
        ref = counts.start(s, operator, B).reference
        counts.set_quantity(s, operator, ref, BOLT, 5)  # matches
        counts.set_quantity(s, operator, ref, NUT, 6)  # 4 more than expected
        review = counts.review(s, operator, ref)
    lines = by_sku(review)
    assert (lines[BOLT].group, lines[BOLT].difference) == ("matching", 0)
    assert (lines[NUT].group, lines[NUT].counted, lines[NUT].expected, lines[NUT].difference) == ("extra", 6, 2, 4)
    assert lines[NUT].moved_from == A  # the ledger has nuts at A too
    with world.session() as s:
        ref_a = counts.start(s, operator, A).reference
        counts.scan(s, operator, ref_a, BOLT, 12)
        lines = by_sku(counts.review(s, operator, ref_a))
    assert (lines[BOLT].group, lines[BOLT].difference) == ("missing", -8)
    assert (lines[NUT].group, lines[NUT].counted, lines[NUT].expected) == ("missing", 0, 8)  # not counted at all


def test_an_issue_between_scanning_and_posting_makes_no_false_difference(world: Database, operator: Actor) -> None:
    with world.session() as s:
        ref = counts.start(s, operator, A).reference
        counts.set_quantity(s, operator, ref, BOLT, 20)  # the shelf holds what the ledger says
        counts.set_quantity(s, operator, ref, NUT, 8)
        inventory.issue(s, operator, BOLT, A, 3, reference="PICK-1")  # picked after the bolts were counted
        inventory.receive(s, operator, NUT, A, 10)  # and nuts arrive after they were counted
        assert counts.review(s, operator, ref).differences == []
        result = counts.post(s, operator, ref)
    assert (result.movements, result.already_posted) == (0, False)
    assert ledger(world) == [] and level(world, BOLT, A) == (17, 0) and level(world, NUT, A) == (18, 0)


def test_a_difference_found_while_stock_moves_lands_on_top_of_the_movement(world: Database, operator: Actor) -> None:
    with world.session() as s:
        ref = counts.start(s, operator, A).reference
        counts.set_quantity(s, operator, ref, BOLT, 18, reason="damaged")  # two bolts short when counted
        counts.set_quantity(s, operator, ref, NUT, 8)
        inventory.issue(s, operator, BOLT, A, 5)  # 15 left per the ledger, 13 really
        counts.post(s, operator, ref)
    assert ledger(world, ref) == [(BOLT, A, -2, "damaged")]
    assert level(world, BOLT, A) == (13, 0)


def test_posting_writes_one_adjust_per_difference_once_and_closes_the_session(world: Database, operator: Actor) -> None:
    with world.session() as s:
        ref = counts.start(s, operator, A).reference
        counts.set_quantity(s, operator, ref, BOLT, 19)
        counts.set_quantity(s, operator, ref, NUT, 9, reason="found")
        with pytest.raises(ValidationError, match="Give a reason.*BOLT-M6"):
            counts.post(s, operator, ref)
        first = counts.post(s, operator, ref, reason="miscount")
        again = counts.post(s, operator, ref, reason="miscount")
        shown, lines = counts.show(s, operator, ref)
    assert (first.movements, first.units_up, first.units_down) == (2, 1, 1)
    assert again.already_posted and again.movements == 0
    assert ledger(world, ref) == [(BOLT, A, -1, "miscount"), (NUT, A, 1, "found")]
    assert shown.status == "posted" and [(x.sku, x.counted, x.expected) for x in lines] == [(BOLT, 19, 20), (NUT, 9, 8)]
    with world.connect() as conn:
        last = conn.execute("SELECT last_counted_at FROM locations WHERE code = %s", (A,)).fetchone()[0]
    assert last is not None


def test_posting_is_all_or_nothing(world: Database, operator: Actor) -> None:
    with world.session() as s:
        inventory.reserve(s, operator, NUT, A, 6)
        ref = counts.start(s, operator, A).reference
        counts.set_quantity(s, operator, ref, BOLT, 19)
        counts.set_quantity(s, operator, ref, NUT, 2)  # below the 6 reserved: refused
        with pytest.raises(ConflictError):
            counts.post(s, operator, ref, reason="lost", settings=LENIENT)
        assert counts.show(s, operator, ref)[0].status == "open"
    assert ledger(world) == [] and level(world, BOLT, A) == (20, 0)


def test_an_alert_is_raised_by_a_count_that_empties_a_bin(world: Database, operator: Actor) -> None:
    with world.session() as s:
        ref = counts.start(s, operator, A).reference
        counts.set_quantity(s, operator, ref, BOLT, 20)
        counts.post(s, operator, ref, reason="lost", settings=LENIENT)  # NUT not counted: 8 missing, the bin is empty of nuts
    assert level(world, NUT, A) == (0, 0)
    with world.connect() as conn:
        alerts = conn.execute("SELECT a.alert_type FROM stock_alerts a JOIN products p ON p.id = a.product_id"
                              " JOIN locations l ON l.id = a.location_id WHERE p.sku = %s AND l.code = %s"
                              " AND a.status = 'ACTIVE'", (NUT, A)).fetchall()
    assert [row[0] for row in alerts] == ["OUT_OF_STOCK"]


def test_big_differences_need_a_manager(world: Database, operator: Actor, manager: Actor, viewer: Actor) -> None:
    config = Settings(counts_approve_above_value=1000, counts_approve_above_percent=25)
    with world.session() as s:
        ref = counts.start(s, operator, A).reference
        counts.set_quantity(s, operator, ref, BOLT, 10)  # 50 % short
        counts.set_quantity(s, operator, ref, NUT, 8)
        assert by_sku(counts.review(s, operator, ref, config))[BOLT].needs_approval
        with pytest.raises(PermissionDenied, match="need a manager's approval first: BOLT-M6"):
            counts.post(s, operator, ref, reason="lost", settings=config)
        with pytest.raises(PermissionDenied):
            counts.approve(s, operator, ref)
        with pytest.raises(PermissionDenied):
            counts.scan(s, viewer, ref, BOLT)
        assert counts.approve(s, manager, ref).approved_by == "manager"
        assert counts.post(s, operator, ref, reason="lost", settings=config).movements == 1
    assert level(world, BOLT, A) == (10, 0)


def test_another_operator_cannot_change_someone_elses_count(world: Database, operator: Actor, db: Database) -> None:
    from invtui.services import users

    with world.session() as s:
        users.create_user(s, users_admin(s), "op2", "operator", "long enough pw 1")
        other = users.actor_for(s, "op2")
        ref = counts.start(s, operator, A).reference
        with pytest.raises(PermissionDenied, match="belongs to operator"):
            counts.scan(s, other, ref, BOLT)


def users_admin(s):  # type: ignore[no-untyped-def]
    from invtui.services import users

    return users.actor_for(s, "admin")


def test_due_lists_locations_never_or_long_ago_counted_oldest_first(world: Database, operator: Actor,
                                                                    manager: Actor) -> None:
    now = datetime.now(timezone.utc)
    with world.session() as s:
        ref = counts.start(s, operator, B).reference
        counts.set_quantity(s, operator, ref, BOLT, 5)
        counts.post(s, operator, ref)
        due = counts.due(s, operator, Settings(counts_every_days=30), now=now)
        assert [d.code for d in due] == [A]  # B was just counted, CLOSED is inactive
        assert (due[0].items, due[0].units) == (2, 28)
        later = counts.due(s, operator, Settings(counts_every_days=30), now=now + timedelta(days=31))
        assert [d.code for d in later] == [A, B]
        counts.set_interval(s, manager, A, 0)  # never
        assert [d.code for d in counts.due(s, operator, Settings(counts_every_days=30), now=now)] == []
        assert counts.due(s, operator, Settings(counts_every_days=0), now=now + timedelta(days=99)) == []
    assert CLOSED not in [d.code for d in later]


def test_two_posts_at_once_write_once(world: Database, operator: Actor) -> None:
    import threading

    with world.session() as s:
        ref = counts.start(s, operator, A).reference
        counts.set_quantity(s, operator, ref, BOLT, 21)
        counts.set_quantity(s, operator, ref, NUT, 8)
    results: list[counts.PostResult] = []

    def post() -> None:
        with world.session() as s:
            results.append(counts.post(s, operator, ref, reason="found"))

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.already_posted for r in results) == [False, True]
    assert ledger(world, ref) == [(BOLT, A, 1, "found")]
    with world.connect() as conn:
        assert conn.execute(text("SELECT 1").text).fetchone() == (1,)
