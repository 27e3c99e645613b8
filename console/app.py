"""The Textual application: owns the services, the live sync and the screens."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import App
from textual.binding import BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.worker import Worker, WorkerState

from console import failures, keys
from console.boot import Boot
from console.context import CliState
from console.livesync import DatabaseChanged, LiveSync
from console.screens.handover.commands import HandoverCommands
from console.screens.panel.commands import PanelCommands

if TYPE_CHECKING:
    from textual.driver import Driver
    from textual.notifications import SeverityLevel
    from textual.theme import Theme

    from console.services import Services
    from store.db.reader import Reader


class ServicesReady(Message):
    """The full services (SQLModel, migrations, defaults) are up."""


class ServicesFailed(Message):
    """The full services could not come up this time (a locked or unreachable database):
    reading still works, and the next action that needs them tries again."""

    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error


class _Attempt:
    """One try at building the services, which threads that need them meanwhile wait on."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.error: BaseException | None = None


SERVICES_RETRY_SECONDS = 15.0


class ShiftdeskApp(App[None]):
    """The console. Screens get the services from `self.app.services`.

    Started from `build_app` on an existing SQLite file, the app paints the queue before the
    full services exist (they come up in a worker a moment later); `services` waits for them.
    """

    TITLE = "Shiftdesk"
    CSS_PATH = "app.tcss"
    BINDINGS: ClassVar[list[BindingType]] = list(keys.bindings(keys.APP))
    COMMANDS = App.COMMANDS | {HandoverCommands, PanelCommands}
    # Every screen gets one of these classes for the terminal's width (and height), so each
    # screen's CSS reflows at the sizes people use (80, 100, 120, 160 columns) without
    # fixed widths: `Screen.-narrow #tiles { grid-size: 2; }`.
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [
        (0, "-narrow"), (100, "-medium"), (120, "-wide"), (160, "-widest")]
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-short"), (30, "-tall")]
    POLL_INTERVAL: ClassVar[float] = 1.0
    SWEEP_INTERVAL: ClassVar[float] = 30.0

    db_generation: reactive[int] = reactive(0, init=False)
    """Bumped whenever the database changed (this console's writes included)."""

    def __init__(self, services: Services | None = None, *, boot: Boot | None = None,
                 keymap: Mapping[str, str] | None = None) -> None:
        super().__init__()
        if services is None and boot is None:
            raise TypeError("ShiftdeskApp needs services or a boot")
        keys.localize(self)
        self._services = services
        self.boot = boot if boot is not None else Boot.from_services(services)  # type: ignore[arg-type]
        from console import zone

        zone.settle(self.boot.team_zone)  # every screen shows times in this one zone
        self._services_lock = threading.Lock()
        self._attempt: _Attempt | None = None  # the build under way, if any
        self._told_failure = False  # one toast per run of failures, not one per action
        self.reader = self._make_reader()
        self.livesync: LiveSync | None = None
        # The user's key map (binding id -> keys, console/keys.py): the one passed in, else the
        # settings file's (console/settings.py, loaded by the command line).
        self.keymap_setting: dict[str, str] = dict(keymap if keymap is not None else self.boot.state.settings.keymap)

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver for this platform, with input decoding no byte can kill."""
        from console.terminal_input import driver_class

        return driver_class(super().get_driver_class())

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Every toast is plain, sanitised text, whoever calls it: an error that quotes data
        (a subject, a name, a driver's message) never acts as markup or on the terminal."""
        from console.sanitize import clean_line, clean_text

        super().notify(clean_text(message, limit=2000, max_lines=20), title=clean_line(title, limit=200),
                       severity=severity, timeout=timeout, markup=False)

    def _make_reader(self) -> Reader:
        from store.db.reader import SqliteReader, reader_for

        if self._services is not None:
            return reader_for(self._services.db)
        assert self.boot.sqlite_path is not None
        return SqliteReader(self.boot.sqlite_path)

    # -- services ----------------------------------------------------------------------------------

    @property
    def services_ready(self) -> bool:
        return self._services is not None

    def wait_services(self) -> Services:
        """The services: built here and now if nobody is building them, else waited for.

        A failed build is not remembered: a lock held by another process, or a lost
        connection, passes, so the next caller builds again (and raises if it fails again).
        Safe from the main thread too (a screen that needs them at once builds them itself).
        """
        self._build_services()
        assert self._services is not None
        return self._services

    @property
    def services(self) -> Services:
        return self.wait_services()

    def start_services(self) -> None:
        """Bring the full services up in a worker (nothing to do while they exist or are coming)."""
        if self._services is None and self._attempt is None:
            self._bring_up_services()

    @work(thread=True, exclusive=True, group="services", exit_on_error=False)
    def _bring_up_services(self) -> None:
        try:
            self._build_services()
        except Exception:  # told through ServicesFailed; the next action tries again
            pass

    def _build_services(self) -> None:
        from console.services import CONSOLE_LOCK_WAIT, build_services

        with self._services_lock:
            if self._services is not None:
                return
            attempt, mine = self._attempt, self._attempt is None
            if attempt is None:
                attempt = self._attempt = _Attempt()
        if not mine:  # another thread is building them right now: it never needs the event loop
            attempt.done.wait()
            if attempt.error is not None:
                raise attempt.error
            return
        try:
            services = build_services(self.boot.state, clock=self.boot.clock, lock_wait=CONSOLE_LOCK_WAIT)
        except Exception as exc:
            attempt.error = exc
            with self._services_lock:
                self._attempt = None  # the next caller starts a fresh attempt
            attempt.done.set()
            self.post_message(ServicesFailed(exc))
            raise
        with self._services_lock:
            self._services, self._attempt = services, None
        attempt.done.set()
        self.post_message(ServicesReady())

    @on(ServicesFailed)
    def _services_failed(self, message: ServicesFailed) -> None:
        # One toast per run of failures (every action meanwhile tries again and says why it
        # failed itself); and a try in the background, so the breach sweep comes up on its own.
        if not self._told_failure:
            self._told_failure = True
            failures.report_error(self, "services", message.error, name="services")
        self.set_timer(SERVICES_RETRY_SECONDS, self.start_services)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a failed worker is reported (screens hand theirs on: console/failures.py)."""
        if event.state == WorkerState.ERROR:
            failures.report(self, event.worker)

    @on(ServicesReady)
    def _services_up(self) -> None:
        import gc

        self._told_failure = False
        if self.livesync is not None:
            self.livesync.sweep = self._sweep_breaches
        # Everything loaded so far (modules, the schema, styles) lives as long as the app: keep it
        # out of the collector's full passes, which otherwise stall a keypress now and then.
        gc.freeze()

    def _sweep_breaches(self) -> int:
        from console.livesync import SWEEP_BATCH
        from store.sla.clocks import breaches_due, record_breaches

        services = self.wait_services()
        now = services.clock.now()
        # Most sweeps find nothing due: one probe of the undecided-clock index, no write lock.
        with services.db.read() as session:
            if not breaches_due(session, now):
                return 0
        with services.db.write() as session:
            return record_breaches(session, now, limit=SWEEP_BATCH)

    # -- lifecycle ---------------------------------------------------------------------------------

    def on_mount(self) -> None:
        from console.i18n import t
        from console.sanitize import clean_line
        from console.screens.home import home_screen
        from store.db.changes import probe_for

        self.title = t("app.title")
        self.sub_title = clean_line(self.boot.agent_label, limit=64) + " · " + t(f"role.{self.boot.agent_role}")
        keys.apply_keymap(self, self.keymap_setting)
        # The baseline poll starts first (in a worker), ahead of the queue's first read.
        probe = probe_for(self.boot.sqlite_path, self.reader)
        self.livesync = LiveSync(self, probe, interval=self.POLL_INTERVAL, sweep_every=self.SWEEP_INTERVAL,
                                 sweep=self._sweep_breaches if self.services_ready else None)
        self.livesync.start()
        self._apply_theme()
        self.push_screen(home_screen(self._services))
        if self._services is None:
            # The queue calls start_services once its rows are on screen, so the heavy imports do
            # not compete with the first paint; this timer covers a start on another screen.
            self.set_timer(1.0, self.start_services)

    def _apply_theme(self) -> None:
        """The settings file's theme (console/settings.py); a theme picked later in the console
        is written back to the file, off the event loop."""
        settings = self.boot.state.settings
        if settings.theme and settings.theme in self.available_themes:
            self.theme = settings.theme
        self._saved_theme = self.theme
        if settings.path is not None:
            self.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, theme: Theme) -> None:
        if theme.name != self._saved_theme:
            self._saved_theme = theme.name
            self._remember_theme(theme.name)

    @work(thread=True, group="settings", exit_on_error=False)
    def _remember_theme(self, name: str) -> None:
        from console.settings import remember

        remember(self.boot.state.settings.path, "theme", name)

    def on_unmount(self) -> None:
        if self.livesync is not None:
            self.livesync.stop()
        self.reader.close()

    @on(DatabaseChanged)
    def _database_changed(self) -> None:
        self.db_generation += 1

    # -- hooks for other screens -------------------------------------------------------------------

    # Handover screens never import each other (no import circle): they ask the app for a route,
    # and the app hands it to the handover router, console/screens/handover/gate.py.
    HANDOVER_ROUTES = frozenset({"open_handover", "open_handover_id", "show_history", "show_submitted",
                                 "show_merge", "show_document_with_leftovers", "save_in_background"})

    def handover_route(self, route: str, *args: object, **kwargs: object) -> None:
        """Open a handover screen (or start the closing save) on behalf of another screen."""
        if route not in self.HANDOVER_ROUTES:
            raise ValueError(f"no handover route {route!r}")
        from console.screens.handover import gate

        getattr(gate, route)(self, *args, **kwargs)

    def action_show_handover(self) -> None:
        """F4: the lead's handover to write now, others the latest one (console/screens/handover/gate.py)."""
        from console.screens.handover.gate import open_handover

        open_handover(self)

    def action_show_panel(self) -> None:
        """F3: the supervisor's live SLA panel (console/screens/panel/screen.py)."""
        from console.screens.panel.commands import show_panel

        show_panel(self)

    def action_help(self) -> None:
        """F1 or ?: help for the screen on top (its keys, its symbols, where the files are)."""
        from console.screens.help import HelpScreen, help_text, title_of

        screen = self.screen
        if isinstance(screen, HelpScreen):  # F1 again closes it (F1 comes here before the help's own keys)
            screen.dismiss(None)
            return
        self.push_screen(HelpScreen(title_of(screen), help_text(screen, self.keymap_setting, self.get_key_display)))

    def open_ticket(self, ticket_id: int) -> None:
        """Show a ticket in the queue: back to the queue screen, cursor on it (or its details)."""
        from console.screens.queue.screen import QueueScreen

        queue = next((s for s in self.screen_stack if isinstance(s, QueueScreen)), None)
        if queue is None:
            return
        while self.screen is not queue and len(self.screen_stack) > 1:
            self.pop_screen()
        queue.jump_to(ticket_id)

    def open_composer(self, ticket_id: int) -> None:
        """Open the reply composer on a ticket (console/screens/composer/screen.py); a sent reply refreshes at once."""
        from console.screens.composer.screen import ComposerResult, ComposerScreen

        def closed(result: ComposerResult | None) -> None:
            if result is not None and result.sent is not None:
                self.db_generation += 1  # the queue re-reads its rows and the open thread now
                keep = getattr(self.screen, "keep_working", None)
                if keep is not None:  # the queue: the ticket just answered stays selected
                    keep(result.ticket_id)

        self.push_screen(ComposerScreen(ticket_id, self._services), closed)


def _unknown_agent(exc: BaseException) -> None:
    import sys

    from rich.console import Console
    from rich.text import Text

    from console.i18n import t
    from console.sanitize import clean_line

    name = getattr(exc, "name", "")
    known = getattr(exc, "known", [])
    # The name came from --as or the environment, the list from the database: both are data.
    message = t("error.unknown_agent", name=clean_line(name, limit=80), known=", ".join(known[:20]) or "-")
    Console(stderr=True).print(Text(clean_line(message, limit=2000), style="red"))
    sys.exit(1)  # refused: exit status 1 (README)


def build_app(state: CliState) -> ShiftdeskApp:
    """Everything that can fail before the UI starts fails here, with a clear message."""
    from console.boot import quick_boot
    from store.errors import PermissionDenied, UnknownAgent

    try:
        boot = quick_boot(state)
        if boot is not None:
            from console.boot import prefetch_first_window

            return ShiftdeskApp(boot=prefetch_first_window(boot))
        from console.services import build_services

        services = build_services(state)
    except UnknownAgent as exc:
        _unknown_agent(exc)
        raise  # unreachable: _unknown_agent exits
    except PermissionDenied as exc:  # e.g. --as naming someone else while logged in to PostgreSQL
        import sys

        from rich.console import Console
        from rich.text import Text

        from console.sanitize import clean_line

        Console(stderr=True).print(Text(clean_line(str(exc)), style="red"))
        sys.exit(1)
    return ShiftdeskApp(services)
