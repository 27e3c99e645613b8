"""The settings file: what load() keeps and drops (and says), `config set/unset/show/path`, the
precedence flag > environment > file > default, and the console applying theme and key map."""

from __future__ import annotations

import tomllib
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from console.cli import app
from console.settings import Settings, load, settings_path, to_toml

runner = CliRunner()


@pytest.fixture
def config(tmp_path, monkeypatch):
    path = tmp_path / "conf" / "settings.toml"
    monkeypatch.setenv("SHIFTDESK_CONFIG", str(path))
    monkeypatch.setenv("SHIFTDESK_LANG", "en")
    monkeypatch.delenv("SHIFTDESK_DB", raising=False)
    return path


def cli(*args: str):
    return runner.invoke(app, list(args))


def test_no_file_means_defaults_and_no_problems(config):
    settings, problems = load()
    assert problems == []
    assert settings == Settings()
    assert settings.keymap == {} and settings.path == config
    assert not config.parent.exists()  # reading never makes the folder


def test_bad_keys_are_dropped_one_line_each_and_the_rest_kept(config):
    config.parent.mkdir()
    config.write_text('language = "en"\ncolour = "red"\ntheme = "neon"\nat_risk_share = 0.3\n'
                      'timezone = "Mars/Olympus"\n[keymap]\n"app.quit" = "ctrl+x"\n"queue.claim" = 3\n',
                      encoding="utf-8")
    settings, problems = load()
    assert settings.language == "en"
    assert settings.theme is None and settings.timezone is None
    assert settings.keymap == {}  # one bad binding drops the table
    assert problems[0].startswith("settings.toml: key 'colour': unknown key (known: database, language")
    assert problems[1].startswith("settings.toml: key 'theme': 'neon' is not a theme")
    assert problems[2].startswith("settings.toml: key 'at_risk_share': the at-risk threshold is the team's")
    assert "policy set NAME --warn-share" in problems[2]
    assert problems[3] == "settings.toml: key 'timezone': 'Mars/Olympus' is not a time zone (e.g. Asia/Taipei, UTC)"
    assert problems[4] == ("settings.toml: key 'keymap': 'queue.claim': must be a non-empty string")
    assert len(problems) == 5


def test_a_file_that_is_no_toml_gives_defaults_and_one_line(config):
    config.parent.mkdir()
    config.write_text("language = \n", encoding="utf-8")
    settings, problems = load()
    assert settings == Settings()
    assert len(problems) == 1 and problems[0].startswith("settings.toml: not valid TOML (")
    assert "line 1" in problems[0]


def test_config_set_writes_checked_values_and_show_prints_them(config):
    for key, value in (("language", "en"), ("theme", "nord"), ("timezone", "Asia/Taipei"),
                       ("keymap.app.quit", "ctrl+x, f10"), ("database", "~/team.db")):
        result = cli("config", "set", key, value)
        assert result.exit_code == 0, result.output
    stored = tomllib.loads(config.read_text(encoding="utf-8"))
    assert stored == {"database": "~/team.db", "language": "en", "theme": "nord", "timezone": "Asia/Taipei",
                      "keymap": {"app.quit": "ctrl+x,f10"}}
    settings, problems = load()
    assert problems == [] and settings.keymap == {"app.quit": "ctrl+x,f10"}
    shown = cli("config", "show")
    assert shown.exit_code == 0
    assert 'theme = "nord"' in shown.output and '"app.quit" = "ctrl+x,f10"' in shown.output
    unset = cli("config", "unset", "theme")
    assert unset.exit_code == 0 and "theme" not in tomllib.loads(config.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("key", "value", "message"), [
    ("theme", "neon", "settings.toml: key 'theme': 'neon' is not a theme"),
    ("language", "fr", "settings.toml: key 'language': 'fr' is not one of zh-TW, en"),
    ("at_risk_share", "0.3", "settings.toml: key 'at_risk_share': the at-risk threshold is the team's"),
    ("timezone", "Nowhere/City", "settings.toml: key 'timezone': 'Nowhere/City' is not a time zone"),
    ("colour", "red", "settings.toml: key 'colour': unknown key"),
    ("keymap.app.quit", "ctrl x", "settings.toml: key 'keymap.app.quit': 'ctrl x' is not a comma-separated"),
])
def test_config_set_refuses_bad_values_and_writes_nothing(config, key, value, message):
    assert cli("config", "set", "language", "en").exit_code == 0
    before = config.read_bytes()
    result = cli("config", "set", key, value)
    assert result.exit_code == 1
    assert message in result.output
    assert config.read_bytes() == before


def test_config_set_never_overwrites_a_broken_file(config):
    config.parent.mkdir()
    config.write_text("theme = [\n", encoding="utf-8")
    result = cli("config", "set", "theme", "nord")
    assert result.exit_code == 1 and "not valid TOML" in result.output
    assert config.read_text(encoding="utf-8") == "theme = [\n"


def test_config_path_names_settings_log_and_database(config, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("SHIFTDESK_LOG", str(tmp_path / "logs" / "shiftdesk.log"))
    result = cli("config", "path")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["settings", str(config)]
    assert lines[1].split() == ["log", str(tmp_path / "logs" / "shiftdesk.log")]
    assert lines[2].split() == ["database", str(tmp_path / "data" / "shiftdesk" / "shiftdesk.db")]
    assert not (tmp_path / "data").exists() and not (tmp_path / "logs").exists()


def test_precedence_flag_then_environment_then_file(config, tmp_path, monkeypatch):
    # The refusal of a missing database names the path each source chose.
    assert cli("config", "set", "database", str(tmp_path / "from-file.db")).exit_code == 0
    assert str(tmp_path / "from-file.db") in cli("report").output
    monkeypatch.setenv("SHIFTDESK_DB", str(tmp_path / "from-env.db"))
    assert str(tmp_path / "from-env.db") in cli("report").output
    assert str(tmp_path / "from-flag.db") in cli("--db", str(tmp_path / "from-flag.db"), "report").output


def test_language_from_the_file_beats_the_locale_but_not_the_flag(config, tmp_path, monkeypatch):
    monkeypatch.delenv("SHIFTDESK_LANG")
    monkeypatch.setenv("LANG", "zh_TW.UTF-8")
    missing = str(tmp_path / "none.db")
    assert "找不到資料庫" in cli("--db", missing, "report").output
    assert cli("config", "set", "language", "en").exit_code == 0
    assert "No database at" in cli("--db", missing, "report").output
    assert "找不到資料庫" in cli("--lang", "zh-TW", "--db", missing, "report").output


def test_problems_in_the_file_are_printed_and_the_command_still_runs(config, tmp_path):
    config.parent.mkdir()
    config.write_text('theme = "neon"\n', encoding="utf-8")
    result = cli("--db", str(tmp_path / "a.db"), "init")
    assert result.exit_code == 0
    assert "settings.toml: key 'theme': 'neon' is not a theme" in result.output


@given(st.text())
def test_written_strings_read_back_exactly(value):
    from console.settings import _toml_string

    assert tomllib.loads(f"x = {_toml_string(value)}\n")["x"] == value


def test_to_toml_round_trips_through_load(tmp_path):
    settings = Settings(database="C:\\data\\team \"a\".db", language="zh-TW", theme="gruvbox",
                        timezone="UTC", keymap={"queue.claim": "c,ctrl+c", "app.quit": "ctrl+q"},
                        path=tmp_path / "s.toml")
    (tmp_path / "s.toml").write_text(to_toml(settings), encoding="utf-8")
    again, problems = load(tmp_path / "s.toml")
    assert problems == [] and again == settings


def test_settings_path_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SHIFTDESK_CONFIG", str(tmp_path / "x.toml"))
    assert settings_path() == tmp_path / "x.toml"
    monkeypatch.delenv("SHIFTDESK_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert settings_path() == tmp_path / "cfg" / "shiftdesk" / "settings.toml"


async def test_console_applies_theme_and_keymap_and_remembers_a_new_theme(seed_small, tmp_path):
    from conftest import make_services

    from console.app import ShiftdeskApp

    path = tmp_path / "settings.toml"
    path.write_text('theme = "nord"\n[keymap]\n"app.quit" = "ctrl+x"\n', encoding="utf-8")
    settings, problems = load(path)
    assert problems == []
    services = make_services(seed_small)
    services = replace(services, state=replace(services.state, settings=settings))
    app_ = ShiftdeskApp(services)
    async with app_.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app_.theme == "nord"
        app_.theme = "gruvbox"  # what the theme picker does
        for _ in range(100):
            await pilot.pause(0.02)
            if "gruvbox" in path.read_text(encoding="utf-8"):
                break
        assert tomllib.loads(path.read_text(encoding="utf-8"))["theme"] == "gruvbox"
        assert app_.return_code is None
        await pilot.press("ctrl+x")  # app.quit, remapped from ctrl+q
        await pilot.pause()
        assert app_.return_code == 0


def test_the_display_zone_beats_the_team_zone_which_beats_the_machine(config, monkeypatch):
    """timezone = "UTC" in the file: commands and screens show UTC, whatever TZ and the team say."""
    import time
    from datetime import UTC, datetime

    from console import zone

    instant = datetime(2024, 1, 15, 6, 0, tzinfo=UTC)
    monkeypatch.setenv("TZ", "America/New_York")
    try:
        time.tzset()
        zone.prefer(None)
        assert zone.settle(None) == "EST" and zone.local(instant, "%H:%M") == "01:00"  # the machine's
        assert zone.settle("Asia/Taipei") == "Asia/Taipei" and zone.local(instant, "%H:%M") == "14:00"  # the team's
        assert cli("config", "set", "timezone", "UTC").exit_code == 0
        assert cli("config", "path").exit_code == 0  # any command reads the settings
        assert zone.settle("Asia/Taipei") == "UTC" and zone.local(instant, "%H:%M") == "06:00"  # the setting's
        assert time.localtime(instant.timestamp()).tm_hour == 1  # TZ itself is left alone
    finally:
        monkeypatch.setenv("TZ", "Asia/Taipei")
        time.tzset()


def test_zone_precedence_known_answers():
    from console.zone import choose

    assert choose("UTC", "Asia/Taipei") == "UTC"
    assert choose(None, "Asia/Taipei") == "Asia/Taipei"
    assert choose(None, None) is None  # the machine's
    assert choose("Mars/Olympus", "Asia/Taipei") == "Asia/Taipei"  # a zone that does not exist is skipped
