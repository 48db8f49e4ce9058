"""The app's CSV files stay in the user's own folder; in a browser an export is a download (issue 13, item 3)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from invtui.config import Settings
from invtui.db.engine import Database
from invtui.services.files import NAME_RULE
import invtui.ui.app as app_module
from invtui.ui.app import InvtuiApp
from invtui.ui.modals.confirm_modal import ConfirmModal
from invtui.ui.modals.file_modal import FileNameModal

from .test_live import toasts, wait_until
from .test_snapshots import settle

HEADER_AND_7_PRODUCTS = 8


@pytest.fixture
def files_root(tmp_path: Path) -> Path:
    return tmp_path / "files"


@pytest.fixture
def folder(files_root: Path) -> Path:
    """The manager's folder, made beforehand, as it is after a first export."""
    (files_root / "manager").mkdir(parents=True)
    return files_root / "manager"


@pytest.fixture
def app(make_app, warehouse: Database, files_root: Path) -> InvtuiApp:  # type: ignore[no-untyped-def]
    return make_app("manager", live=False, files_dir=str(files_root))


async def _name(pilot, app: InvtuiApp, name: str) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    assert isinstance(app.screen, FileNameModal)
    app.screen.query_one("#field-name").value = name
    await pilot.press("enter")
    await settle(pilot)


def _everything_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")} if root.exists() else set()


async def test_an_export_by_bare_name_lands_in_the_users_own_private_folder(app: InvtuiApp, files_root: Path) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.csv_export("products")
        await _name(pilot, app, "products.csv")
        assert await wait_until(pilot, lambda: any("Exported 7 products rows to products.csv in your folder" in t
                                                   for t in toasts(app)))
    target = files_root / "manager" / "products.csv"
    assert target.read_text().count("\n") == HEADER_AND_7_PRODUCTS
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert [p.name for p in target.parent.iterdir()] == ["products.csv"]  # no temporary file left behind


@pytest.mark.parametrize("name", ["../x.csv", "/etc/x.csv", ".bashrc", "a/b.csv", "a\\b.csv", "x\x1b[2J.csv",
                                  "y" * 101 + ".csv"])
async def test_a_name_that_is_not_a_bare_file_name_is_refused_in_one_sentence_and_nothing_is_written(
        app: InvtuiApp, files_root: Path, tmp_path: Path, name: str) -> None:
    before = _everything_under(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.csv_export("products")
        await _name(pilot, app, name)
        assert isinstance(app.screen, FileNameModal)  # the form stays open with the sentence under it
        assert NAME_RULE in str(app.screen.query_one("#form-error").render())
        await pilot.press("escape")
        await settle(pilot)
    assert not Path("/etc/x.csv").exists()
    written = {p for p in _everything_under(tmp_path) - before if p.is_file()}
    assert written == set()


async def test_an_existing_file_is_replaced_only_when_the_operator_says_yes(app: InvtuiApp, folder: Path) -> None:
    (folder / "products.csv").write_text("my own notes\n")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.csv_export("products")
        await _name(pilot, app, "products.csv")
        assert isinstance(app.screen, ConfirmModal)
        assert "products.csv already exists in your folder. Replace it?" in str(
            app.screen.query_one("#confirm-question").render())
        await pilot.press("escape")  # Escape keeps the old file
        assert await wait_until(pilot, lambda: any("Kept the old products.csv" in t for t in toasts(app)))
        assert (folder / "products.csv").read_text() == "my own notes\n"
        app.csv_export("products")
        await _name(pilot, app, "products.csv")
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        assert await wait_until(pilot, lambda: any("Exported 7 products rows" in t for t in toasts(app)))
    assert (folder / "products.csv").read_text().count("\n") == HEADER_AND_7_PRODUCTS


async def test_a_link_planted_in_the_folder_lets_no_write_or_read_escape(app: InvtuiApp, folder: Path,
                                                                         tmp_path: Path) -> None:
    outside = tmp_path / "outside.env"
    outside.write_text("DATABASE_URL=postgresql://invtui:hunter2@db/invtui\n")
    (folder / "products.csv").symlink_to(outside)
    (folder / "counts.csv").symlink_to(outside)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.csv_export("products")
        await _name(pilot, app, "products.csv")
        assert isinstance(app.screen, ConfirmModal)  # the name is taken (by the link)
        await pilot.press("y")
        assert await wait_until(pilot, lambda: any("not a plain file; it was left as it is" in t for t in toasts(app)))
        app.csv_import("inventory")
        await _name(pilot, app, "counts.csv")
        assert await wait_until(pilot, lambda: any("counts.csv in your folder is not a plain file" in t
                                                   for t in toasts(app)))
        assert not any("hunter2" in t or "DATABASE_URL" in t for t in toasts(app))
    assert outside.read_text() == "DATABASE_URL=postgresql://invtui:hunter2@db/invtui\n"
    assert (folder / "products.csv").is_symlink()


async def test_an_import_reads_only_from_the_folder_and_lists_its_rows_errors(app: InvtuiApp, folder: Path) -> None:
    (folder / "bad.csv").write_text("sku,name\nBOLT-M6,Duplicate of an existing product\n")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.csv_import("products")
        await _name(pilot, app, "/etc/passwd")  # a path: the sentence, and no line of that file anywhere
        assert NAME_RULE in str(app.screen.query_one("#form-error").render())
        assert not any("root:" in t for t in toasts(app))
        app.screen.query_one("#field-name").value = "bad.csv"
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: any("nothing was imported" in t and "Row 2" in t for t in toasts(app)))


class BrowserApp(InvtuiApp):
    """The app as `invtui serve` runs it: Textual's web driver says is_web; everything else is the real app."""

    CSS_PATH = str(Path(app_module.__file__).with_name("app.tcss"))

    @property
    def is_web(self) -> bool:
        return True


async def test_in_a_browser_an_export_is_a_download_and_no_server_file(
        warehouse: Database, files_root: Path) -> None:
    settings = Settings(database_url=warehouse.url.render_as_string(hide_password=False), files_dir=str(files_root))
    app = BrowserApp(settings=settings, db=warehouse, username="manager", trusted=True, live=False)
    delivered: list[tuple[str, str, bytes]] = []

    def deliver_binary(data, *, save_filename, mime_type, **_options):  # type: ignore[no-untyped-def]
        # what Textual's web driver streams to textual-serve's download manager (it seeks to 0 and reads)
        data.seek(0)
        delivered.append((save_filename, mime_type, data.read()))
        data.close()

    app.deliver_binary = deliver_binary  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.csv_export("products")
        await settle(pilot)
        assert "downloaded by your browser" in str(app.screen.query_one("#stock-form-title").render())
        await _name(pilot, app, "products.csv")
        assert await wait_until(pilot, lambda: any("your browser downloads products.csv" in t for t in toasts(app)))
    [(name, mime, body)] = delivered
    assert (name, mime) == ("products.csv", "text/csv")
    assert body.decode().count("\n") == HEADER_AND_7_PRODUCTS and body.startswith(b"sku,name,")
    assert not files_root.exists()  # nothing was written on the server
