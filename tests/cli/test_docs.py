"""The documents a newcomer reads agree with the code: every binding id is in docs/keys.md,
the template example in docs/templates.md passes `templates check`, README links the docs."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

from textual.binding import Binding
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]


def _binding_ids() -> set[str]:
    """The ids of every Binding declared by a class in console/ or widgets/."""
    import console
    import widgets
    from console.app import ShiftdeskApp

    ids: set[str] = set()
    for package in (console, widgets):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            module = importlib.import_module(info.name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                for binding in getattr(cls, "BINDINGS", None) or ():
                    if isinstance(binding, Binding) and binding.id:
                        ids.add(binding.id)
    ids |= {b.id for b in ShiftdeskApp.BINDINGS if isinstance(b, Binding) and b.id}
    return ids


def test_every_binding_id_is_documented():
    doc = (ROOT / "docs" / "keys.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z_]+(?:\.[a-z_]+)+)`", doc))
    # `queue.view.channel.email` … `.social`: the doc names the first and last of the run
    documented |= {f"queue.view.channel.{c}" for c in ("email", "chat", "phone", "web", "social")}
    ids = _binding_ids()
    assert len(ids) > 50
    missing = sorted(ids - documented)
    assert not missing, f"bindings missing from docs/keys.md: {missing}"
    stale = sorted(d for d in documented - ids if not d.startswith(("queue.view.channel.", "settings.")))
    assert not stale, f"docs/keys.md names bindings that do not exist: {stale}"


def test_the_template_example_in_the_guide_passes_the_check(tmp_path, monkeypatch):
    from console.cli import app

    doc = (ROOT / "docs" / "templates.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", doc, re.S)
    assert example is not None
    user_file = tmp_path / "templates.toml"
    user_file.write_text(example.group(1), encoding="utf-8")
    monkeypatch.setenv("SHIFTDESK_TEMPLATES", str(user_file))
    monkeypatch.setenv("SHIFTDESK_LANG", "en")
    result = CliRunner().invoke(app, ["templates", "check"])
    assert result.exit_code == 0, result.output
    assert "order-delay.en" in result.output  # named as replacing the shipped one


def test_readme_links_the_docs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("docs/keys.md", "docs/templates.md", "docs/settings.md"):
        assert f"]({name})" in readme and (ROOT / name).is_file()
