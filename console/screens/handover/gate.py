"""Which handover screen to show, loaded in a worker: the lead's draft, a submitted one, history.

Also the start-up check: an incoming lead whose shift has an unacknowledged handover sees
it on top of the home screen before anything else.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import App
from textual.screen import Screen

from console.i18n import t
from console.sanitize import clean_line
from store.handover.content import TEXT_SECTIONS, HandoverContent
from store.handover.lifecycle import HandoverView


def services_of(app: App):
    """The app's services, waiting (in a worker thread) while they are still coming up."""
    wait = getattr(app, "wait_services", None)
    return wait() if callable(wait) else app.services  # type: ignore[attr-defined]


def _in_worker(app: App, job: Callable[[], Screen | None], name: str) -> None:
    """Run `job` in a thread of the app and push the screen it returns; a failure is reported by
    console/failures.py (never a crash: the console stays usable)."""

    def run() -> None:
        screen = job()
        if screen is not None:
            app.call_from_thread(present, app, screen)

    app.run_worker(run, thread=True, group=name, exit_on_error=False)


def present(app: App, screen: Screen) -> None:
    """Push a handover screen, or go back to the one already showing that handover.

    Two editors of one draft in one console would refuse each other's saves.
    """
    wanted = getattr(getattr(screen, "view", None), "id", None)
    for index, existing in enumerate(app.screen_stack):
        if wanted is not None and type(existing) is type(screen) and existing.view.id == wanted:  # type: ignore[attr-defined]
            for _ in range(len(app.screen_stack) - 1 - index):
                app.pop_screen()
            return
    app.push_screen(screen)


def screen_for(view: HandoverView, services) -> Screen:
    """The editor for a draft a lead may edit, the read-only document otherwise."""
    if view.status == "draft" and services.agent.role in ("lead", "supervisor"):
        from console.screens.handover.editor import HandoverScreen

        return HandoverScreen(view)
    from console.screens.handover.document import HandoverDocScreen

    return HandoverDocScreen(view)


def open_handover(app: App) -> None:
    """F4: a lead gets the handover to write now; others the latest submitted one, or history."""

    def job() -> Screen | None:
        from store.handover.lifecycle import handover_windows, latest_handover, open_draft

        services = services_of(app)
        if services.agent.role in ("lead", "supervisor"):
            now = services.now()
            with services.db.write() as session:
                ending, incoming = handover_windows(session, now, services.agent.team)
                view = open_draft(session, now, services.agent, ending, incoming, services.agent.team)
            return screen_for(view, services)
        with services.db.read() as session:
            view = latest_handover(session, services.agent.team)
        if view is None:
            from console.screens.handover.history import HandoverHistoryScreen

            return HandoverHistoryScreen()
        return screen_for(view, services)

    _in_worker(app, job, "handover-open")


def open_handover_id(app: App, handover_id: int) -> None:
    def job() -> Screen:
        from store.handover.lifecycle import get_handover

        services = services_of(app)
        with services.db.read() as session:
            return screen_for(get_handover(session, handover_id), services)

    _in_worker(app, job, "handover-open")


def show_unacknowledged_handover(services=None) -> None:
    """Call while the app starts: pushes the handover awaiting this lead's acknowledgement, if any.

    `services` may be None while they are still coming up; the check waits for them in a worker.
    """
    if services is not None and services.agent.role not in ("lead", "supervisor"):
        return
    from console.textual_adapter import running_app

    app = running_app()
    if app is None:  # not inside a running app (a test building screens): nothing to show
        return
    app.call_after_refresh(_in_worker, app, lambda: unacknowledged_screen(app, services), "handover-gate")


def unacknowledged_screen(app: App, services=None) -> Screen | None:
    """In a worker: the handover awaiting this lead's acknowledgement as a screen, or None."""
    if services is not None and services.agent.role not in ("lead", "supervisor"):
        return None
    from store.handover.lifecycle import awaiting_acknowledgement

    services = services_of(app)
    with services.db.read() as session:
        view = awaiting_acknowledgement(session, services.now(), services.agent, services.agent.team)
    if view is None:
        return None
    from console.screens.handover.document import HandoverDocScreen

    return HandoverDocScreen(view)


def save_in_background(app: App, handover_id: int, content: HandoverContent, version: int, *,
                       inflight: HandoverContent | None = None) -> None:
    """The last save of a screen being closed: runs on the app, so it outlives the screen.

    `inflight` is a save of the same screen still under way; if that is the newer version
    found, the refusal is with ourselves and the save is retried on top of it.
    """

    def job() -> None:
        from store.handover.lifecycle import HandoverConflict, keep_refused, save_draft

        services = services_of(app)
        try:
            with services.db.write() as session:
                save_draft(session, services.now(), handover_id, content, version, services.agent)
        except HandoverConflict as exc:
            current = exc.current
            if inflight is not None and current.status == "draft" and _same(current.content, inflight):
                with services.db.write() as session:
                    save_draft(session, services.now(), handover_id, content, current.version, services.agent)
                return
            with services.db.write() as session:
                keep_refused(session, services.now(), handover_id, content, services.agent)
            raise

    _in_worker(app, job, "handover-save")


def _same(a: HandoverContent, b: HandoverContent) -> bool:
    return {**a.to_json(), "saved_by": ""} == {**b.to_json(), "saved_by": ""}


def show_document_with_leftovers(app: App, current: HandoverView, base: HandoverContent,
                                 mine: HandoverContent) -> None:
    """Someone submitted while I was editing: show theirs and offer my changed text as an addendum."""
    from console.screens.handover.document import HandoverDocScreen

    leftovers = "\n\n".join(mine.text(s).strip() for s in TEXT_SECTIONS
                            if mine.text(s) != base.text(s) and mine.text(s).strip()
                            and mine.text(s) != current.content.text(s))
    app.switch_screen(HandoverDocScreen(current, addendum_draft=leftovers))
    if leftovers:
        app.notify(t("handover.submitted_elsewhere", who=clean_line(current.author)), severity="warning")


# -- routes: screens ask the app, the app asks here, so no handover screen imports another --------


def show_history(app: App) -> None:
    from console.screens.handover.history import HandoverHistoryScreen

    app.push_screen(HandoverHistoryScreen())


def show_submitted(app: App, view: HandoverView) -> None:
    """The editor's own submit went through: its document replaces it."""
    from console.screens.handover.document import HandoverDocScreen

    app.switch_screen(HandoverDocScreen(view))


def show_merge(app: App, base: HandoverContent, mine: HandoverContent, current: HandoverView, who: str,
               done: Callable[[HandoverContent | None], None]) -> None:
    from console.screens.handover.merge import MergeScreen

    app.push_screen(MergeScreen(base, mine, current, who), done)

