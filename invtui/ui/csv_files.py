"""CSV files from the command palette: the same services as `invtui export` / `invtui import`.

Inside the app a file is a bare name in the user's own folder ([files] dir/USERNAME), never a
path; in a browser an export is a download. The command line keeps full paths.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from invtui.domain.roles import Actor
from invtui.errors import InvtuiError
from invtui.services import csv_export, csv_import
from invtui.services.files import FileExists, UserFolder
from invtui.ui.service_call import call_service, report_error

if TYPE_CHECKING:
    from invtui.config import Settings
    from invtui.ui.clock import Clock


class CsvFiles:
    """Mixin for the app: export and import of CSV files, offered by the palette."""

    settings: Settings
    clock: Clock
    actor: Actor | None
    is_web: bool

    def user_folder(self, actor: Actor) -> UserFolder:
        return UserFolder(self.settings.files_path, actor.username)

    def csv_export(self, kind: str) -> None:
        from invtui.ui.modals.file_modal import FileNameModal

        actor = self.actor
        default = f"invtui-{kind}-{self.clock.now():%Y%m%d-%H%M}.csv"
        where = "downloaded by your browser" if self.is_web else "saved in your folder"

        def chosen(values: dict[str, str] | None) -> None:
            if not values or actor is None:
                return
            name = values["name"]
            if self.is_web:
                self._download_export(actor, kind, name)
                return
            try:
                taken = self.user_folder(actor).exists(name)
            except InvtuiError as exc:
                report_error(self, exc)
                return
            if taken:
                self._ask_to_replace(actor, kind, name)
            else:
                self._export_to_folder(actor, kind, name, replace=False)

        self.push_screen(FileNameModal(f"Export {kind} to CSV ({where})", {"name": default}), chosen)

    def _export_to_folder(self, actor: Actor, kind: str, name: str, *, replace: bool) -> None:
        def failed(error: object) -> None:
            if isinstance(error, FileExists):  # someone wrote the name meanwhile: ask, as for any existing file
                self._ask_to_replace(actor, kind, name)
            elif isinstance(error, InvtuiError):
                report_error(self, error)

        call_service(self, lambda s: csv_export.export_to_folder(s, actor, kind, self.user_folder(actor), name,
                                                               replace=replace),
                     lambda rows: self.notify(f"Exported {rows:,} {kind} rows to {name} in your folder",
                                              title="Export"),
                     group="csv", failed=failed, toast_refusals=False)

    def _ask_to_replace(self, actor: Actor, kind: str, name: str) -> None:
        from invtui.ui.modals.confirm_modal import ConfirmModal

        def answered(replace: bool | None) -> None:
            if replace:
                self._export_to_folder(actor, kind, name, replace=True)
            else:
                self.notify(f"Kept the old {name}; nothing was written", title="Export")

        self.push_screen(ConfirmModal(f"{name} already exists in your folder. Replace it?"), answered)

    def _download_export(self, actor: Actor, kind: str, name: str) -> None:
        """Browser mode: the export goes to the person's browser as a download, never to a server file."""

        def deliver(result: tuple[int, Any]) -> None:
            rows, data = result
            self.deliver_binary(data, save_filename=name, mime_type="text/csv")
            self.notify(f"Exported {rows:,} {kind} rows; your browser downloads {name}", title="Export")

        call_service(self, lambda s: csv_export.export_download(s, actor, kind), deliver, group="csv")

    def csv_import(self, kind: str) -> None:
        from invtui.ui.modals.file_modal import FileNameModal

        actor = self.actor
        if actor is None:
            return
        try:
            available = self.user_folder(actor).names()
        except InvtuiError as exc:
            report_error(self, exc)
            return

        def chosen(values: dict[str, str] | None) -> None:
            if values and actor is not None:
                name, dry = values["name"], values.get("dry_run", "").lower() in ("y", "yes")
                call_service(self, lambda s: csv_import.import_from_folder(s, actor, kind, self.user_folder(actor),
                                                                         name, dry_run=dry),
                             lambda report: self.notify(report.summary(), title="Import"), group="csv",
                             failed=self._import_refused, toast_refusals=False)

        title = f"Import {kind} from CSV in your folder ({len(available)} file{'s' if len(available) != 1 else ''})"
        self.push_screen(FileNameModal(title, {"name": available[-1] if len(available) == 1 else ""},
                                       choices=available, dry_run=True), chosen)

    def _import_refused(self, error: object) -> None:
        report = getattr(error, "report", None)
        lines = [str(e) for e in report.errors[:5]] if report is not None else []
        more = f"\n+{len(report.errors) - 5} more (see `invtui import --dry-run`)" if report and len(report.errors) > 5 else ""
        message = getattr(error, "message", "Import failed")
        self.notify("\n".join([message, *lines]) + more, title="Import refused", severity="warning", timeout=15)

