"""The key registry: every screen's bindings come from it, the README's table is it, remaps are checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from invtui.cli import main
from invtui.config import load_settings
from invtui.keys import ACTIONS, SCREENS, resolve
from invtui.keys.keymap import first_clash, normalize_key
from invtui.keys.markdown import markdown_table, readme_table

README = Path(__file__).resolve().parent.parent / "README.md"


def screen_classes() -> dict[str, type]:
    from invtui.ui.app import InvtuiApp
    from invtui.ui.screens import (alert_detail, alerts, audit, background, catalog, count, count_review,
                                   counts_list, help, inventory, lock, notifications, purchase_orders, scan,
                                   stock_detail)
    from invtui.ui.modals import confirm_modal, form_modal, note_modal
    from invtui.ui.widgets import bar_chart

    return {
        "app": InvtuiApp, "chart": bar_chart.BarChart, "alerts": alerts.AlertsScreen,
        "alert_detail": alert_detail.AlertDetailScreen, "inventory": inventory.InventoryScreen,
        "stock_detail": stock_detail.StockDetailScreen, "scan": scan.ScanScreen, "scan_abandon": scan.AbandonModal,
        "purchase_orders": purchase_orders.PurchaseOrdersScreen, "po_detail": purchase_orders.PODetailScreen,
        "catalog": catalog.CatalogScreen, "notifications": notifications.NotificationsScreen,
        "background": background.BackgroundScreen, "audit": audit.AuditScreen, "help": help.HelpScreen,
        "lock": lock.LockScreen, "form": form_modal.FormModal, "note": note_modal.NoteModal,
        "confirm": confirm_modal.ConfirmModal, "count": count.CountScreen, "count_ask": count_review.AskModal,
        "count_abandon": count_review.AbandonCountModal, "count_review": count_review.CountReviewScreen,
        "counts_list": counts_list.CountsListScreen,
    }


BEFORE = {  # (key, action, footer label, shown, priority, key_display, tooltip) as the classes had them
    'alert_detail': [
        ('escape,q,enter', 'close', 'Close', True, False, None, ''),
    ],
    'alerts': [
        ('a', "act('acknowledge')", 'Ack', True, False, None, ''),
        ('d', "act('dismiss')", 'Dismiss', True, False, None, ''),
        ('r', "act('resolve')", 'Resolve', True, False, None, ''),
        ('space', 'mark', 'Mark', True, False, '␣', ''),
        ('f', 'cycle_filter', 'Filter', True, False, None, ''),
        ('slash', 'search', 'Search', True, False, '/', ''),
        ('enter', 'detail', 'Detail', False, False, None, 'The alert: its history and last movements'),
        ('c', 'check_now', 'Check', True, False, None, ''),
        ('escape', 'clear', 'Clear filter', False, False, None, ''),
    ],
    'app': [
        ('1', "go('dashboard')", 'Dash', False, False, None, ''),
        ('2', "go('alerts')", 'Alerts', False, False, None, ''),
        ('3', "go('inventory')", 'Stock', False, False, None, ''),
        ('4', "go('purchase_orders')", 'POs', False, False, None, ''),
        ('5', "go('catalog')", 'Catalog', False, False, None, ''),
        ('6', "go('notifications')", 'Notes', False, False, None, ''),
        ('question_mark', 'help', 'Help', True, False, '?', ''),
        ('b', 'background', 'Sweeps', False, False, None, ''),
        ('c', 'check_now', 'Check now', False, False, None, ''),
        ('q', 'quit', 'Quit', True, False, None, ''),
        ('ctrl+q', 'quit', 'Quit', False, True, None, ''),
    ],
    'audit': [
        ('f', 'cycle_kind', 'Kind', True, False, None, ''),
        ('escape,q', 'close', 'Close', True, False, None, ''),
    ],
    'background': [
        ('escape,q,b', 'close', 'Close', True, False, None, ''),
        ('c', 'check_now', 'Check now', True, False, None, ''),
    ],
    'catalog': [
        ('n', 'new', 'New', True, False, None, ''),
        ('e', 'edit', 'Edit', True, False, None, ''),
        ('x', 'deactivate', 'Deactivate', True, False, None, ''),
        ('slash', 'search', 'Search', True, False, '/', ''),
        ('p', "tab('products')", 'Products', False, False, None, ''),
        ('g', "tab('categories')", 'Categories', False, False, None, ''),
        ('s', "tab('suppliers')", 'Suppliers', False, False, None, ''),
        ('l', "tab('locations')", 'Locations', False, False, None, ''),
        ('a', "tab('rules')", 'Alert rules', False, False, None, ''),
        ('escape', 'clear', 'Clear search', False, False, None, ''),
    ],
    'chart': [
        ('left,h,up', 'move(-1)', 'Prev bar', False, False, None, ''),
        ('right,l,down', 'move(1)', 'Next bar', False, False, None, ''),
        ('enter', 'open', 'Open list', True, False, None, ''),
    ],
    'confirm': [
        ('y,enter', 'answer(True)', 'Yes', True, False, None, ''),
        ('n,escape', 'answer(False)', 'No', True, False, None, ''),
    ],
    'form': [
        ('escape', 'cancel', 'Cancel', True, False, None, ''),
        ('enter', 'submit_form', 'Save', False, False, None, ''),
    ],
    'help': [
        ('escape,question_mark,q', 'dismiss', 'Close', True, False, None, ''),
    ],
    'count': [  # issue 16's screens, as they were written before the registry took them in
        ('up', 'select(-1)', 'Line up', False, False, None, ''),
        ('down', 'select(1)', 'Line down', False, False, None, ''),
        ('delete', 'zero_line', 'Line to 0', True, True, None, ''),
        ('f3', 'counts_list', 'Counts due', True, False, None, ''),
        ('escape', 'leave', 'Leave (resume later)', True, False, None, ''),
    ],
    'count_abandon': [
        ('y', 'answer(True)', 'Abandon', True, False, None, ''),
        ('n,escape,enter', 'answer(False)', 'Keep', True, False, None, ''),
    ],
    'count_ask': [
        ('escape', 'cancel', 'Cancel', True, False, None, ''),
    ],
    'count_review': [
        ('e', 'reason', 'Reason', True, False, None, ''),
        ('r', 'recount', 'Recount', True, False, None, ''),
        ('p', 'post', 'Post', True, False, None, ''),
        ('a', 'approve', 'Approve', True, False, None, ''),
        ('x', 'abandon', 'Abandon', True, False, None, ''),
        ('w', 'export', 'Export', True, False, None, 'Export the review to CSV'),  # added since: issue 16's export
        ('escape', 'back', 'Back to counting', True, False, None, ''),
    ],
    'counts_list': [
        ('escape', 'close', 'Close', True, False, None, ''),
    ],
    'inventory': [
        ('r', "stock('receive')", 'Recv', True, False, None, 'Receive'),
        ('i', "stock('issue')", 'Issue', True, False, None, ''),
        ('t', "stock('transfer')", 'Xfer', True, False, None, 'Transfer'),
        ('j', "stock('adjust')", 'Adj', True, False, None, 'Adjust'),
        ('v', "stock('reserve')", 'Rsv', True, False, None, 'Reserve'),
        ('V', "stock('release')", 'Rel', True, False, 'V', 'Release'),
        ('s', 'scan', 'Scan', True, False, None, ''),
        ('k', 'count', 'Count', False, False, None, 'Count this location'),  # issue 16's counts, added since
        ('K', 'counts', 'Counts due', False, False, 'K', ''),
        ('f', 'cycle_filter', 'Filter', True, False, None, ''),
        ('o', 'cycle_order', 'Order', False, False, None, ''),  # issue 17's sort by cover, added since
        ('slash', 'search', 'Search', True, False, '/', ''),
        ('G,end', 'last_page', 'Last page', False, False, None, ''),
        ('g,home', 'first_page', 'First page', False, False, None, ''),
        ('escape', 'clear', 'Clear search', False, False, None, ''),
    ],
    'lock': [
        ('enter', 'unlock', 'Unlock', True, True, None, ''),
    ],
    'note': [
        ('escape', 'cancel', 'Cancel', True, False, None, ''),
    ],
    'notifications': [
        ('m,enter', 'mark_read', 'Mark read', True, False, None, ''),
        ('M', 'mark_all_read', 'Mark all read', True, False, 'M', ''),
        ('r', 'reload', 'Reload', False, False, None, ''),
    ],
    'po_detail': [
        ('plus', 'add_line', 'Add line', True, False, '+', ''),
        ('e', 'edit', 'Edit', True, False, None, 'Edit delivery location and notes'),
        ('S', 'submit', 'Submit', True, False, 'S', ''),
        ('A', 'approve', 'Approve', True, False, 'A', ''),
        ('R', 'receive', 'Receive', True, False, 'R', ''),
        ('x', 'cancel_po', 'Cancel PO', True, False, None, ''),
        ('escape,q', 'close', 'Close', True, False, None, ''),
    ],
    'purchase_orders': [
        ('n', 'new', 'New PO', True, False, None, ''),
        ('g', 'draft_from_alerts', 'Draft from alerts', True, False, None, ''),
        ('f', 'cycle_filter', 'Filter', True, False, None, ''),
    ],
    'scan': [
        ('f2', 'cycle_mode', 'Mode', True, False, None, ''),
        ('up', 'select(-1)', 'Line up', False, False, None, ''),
        ('down', 'select(1)', 'Line down', False, False, None, ''),
        ('delete', 'delete_line', 'Delete line', True, True, None, ''),
        ('escape', 'abandon', 'Abandon batch', True, False, None, ''),
        ('f3', 'count_here', 'Count this location', False, False, None, ''),
    ],
    'scan_abandon': [
        ('y', 'answer(True)', 'Abandon', True, False, None, ''),
        ('n,escape,enter', 'answer(False)', 'Keep', True, False, None, ''),
    ],
    'stock_detail': [
        ('escape,q,enter', 'close', 'Close', True, False, None, ''),
    ],
}
# alerts' hidden Enter now names in full what `?` says for it (the tooltip); nothing else moved.
BEFORE["alerts"][6] = ("enter", "detail", "Detail", False, False, None, "The alert: its history and last movements")


def test_every_screen_binds_from_the_registry_exactly_the_keys_it_had() -> None:
    classes = screen_classes()
    assert set(classes) == set(BEFORE) and set(SCREENS) - set(classes) == {"dashboard"}  # dashboard: its chart
    for screen, cls in classes.items():
        made = [(b.key, b.action, b.description, b.show, b.priority, b.key_display, b.tooltip) for b in cls.BINDINGS]
        assert made == BEFORE[screen], screen
        assert all(b.id for b in cls.BINDINGS), screen  # the id is what a [keys] remap names


def test_the_readme_key_table_is_the_registry() -> None:
    # On failure: `uv run invtui keys --markdown` and paste its output over the README's table.
    assert readme_table(README.read_text(encoding="utf-8")) == markdown_table()


def test_no_two_actions_share_a_key_where_both_reach_so_help_lists_each_key_once() -> None:
    assert first_clash({}) is None
    assert len({(a.screen, a.id) for a in ACTIONS}) == len(ACTIONS)
    assert resolve([]).message == ""


def test_remaps_are_kept_or_refused_one_by_one_with_a_sentence_each(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[keys]\nhelp = "F1"\n"alerts.acknowledge" = "d"\nnosuch = "x"\n"scan.mode" = "m"\n'
                      'quit = "tab"\n[keys.go]\nalerts = ["w", "ctrl+w"]\n[keys.catalog]\nnew = "fish"\n',
                      encoding="utf-8")
    keymap = resolve(load_settings(config, {}).keys)
    assert keymap.remaps == {"help": "f1", "go.alerts": "w,ctrl+w"}
    assert keymap.problems == (
        "unknown action 'nosuch' (`invtui keys` lists them)",
        "scan.mode: 'm' would be typed into the field (Scan mode); use a key like f3 or ctrl+k",
        "quit: tab moves the focus and cannot be taken",
        "catalog.new: 'fish' is not a key (names like a, A, ?, f2, ctrl+k, escape, delete)",
        "alerts.acknowledge = 'd' clashes with alerts.dismiss (Alerts)",
    )
    assert keymap.message.endswith("Those actions keep their default keys.")
    # A swap is no clash; two actions wanting one key are both refused; a near miss gets a hint.
    assert resolve([("alerts.acknowledge", "d"), ("alerts.dismiss", "a")]).remaps == {
        "alerts.acknowledge": "d", "alerts.dismiss": "a"}
    both = resolve([("alerts.acknowledge", "k"), ("alerts.dismiss", "k")])
    assert both.remaps == {} and both.problems == ("alerts.acknowledge and alerts.dismiss both want 'k' (Alerts)",)
    assert "did you mean alerts.acknowledge?" in resolve([("alerts.acknowledge2", "k")]).message
    # An app key is checked against every screen it reaches; a widget's key cannot move.
    assert resolve([("help", "a")]).problems == ("help = 'a' clashes with alerts.acknowledge (Alerts)",)
    assert "cannot be remapped" in resolve([("palette", "ctrl+o")]).message
    assert [normalize_key(k) for k in ("?", "/", "+", "Ctrl+K", "S", "F2")] == [
        "question_mark", "slash", "plus", "ctrl+k", "S", "f2"]


def test_invtui_keys_lists_the_keys_in_force_and_names_a_refused_remap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[keys]\nhelp = "f1"\n', encoding="utf-8")
    assert main(["--config", str(config), "keys", "--json"]) == 0
    assert '"id": "help",\n    "keys": "F1"' in capsys.readouterr().out
    config.write_text('[keys]\nhelp = "a"\n', encoding="utf-8")
    assert main(["--config", str(config), "keys"]) == 1
    assert "help = 'a' clashes with alerts.acknowledge" in capsys.readouterr().err
    assert main(["keys", "--markdown"]) == 0
    assert capsys.readouterr().out.strip() == markdown_table()
