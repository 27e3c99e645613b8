"""The user's settings file (TOML): what it may hold, how it is read, checked and written.

`load()` never raises: the console must start whatever the file says. A bad key or value is
dropped with one line naming the file, the key and the reason (`settings.toml: key 'theme':
...`), and the rest of the file still counts. `config set` uses the same checks, so it refuses
exactly what `load()` would drop. Precedence elsewhere: a command-line flag, then the
environment, then this file, then the built-in default.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

__all__ = [
    "CONFIG_ENV",
    "KEYS",
    "Settings",
    "SettingsError",
    "load",
    "parse_value",
    "remember",
    "settings_path",
    "to_toml",
    "unset_value",
    "write_value",
]

CONFIG_ENV = "SHIFTDESK_CONFIG"


def _empty() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Settings:
    """Everything the file may set; None means "not set here, use the next source"."""

    database: str | None = None
    language: str | None = None
    theme: str | None = None
    timezone: str | None = None
    keymap: Mapping[str, str] = field(default_factory=_empty)
    path: Path | None = field(default=None, compare=False)
    """The file these came from (None: built-in defaults, e.g. in tests; nothing is written back)."""


class SettingsError(ValueError):
    """One bad key or value, worded as `settings.toml: key 'x': reason`."""

    def __init__(self, file: str, key: str | None, reason: str) -> None:
        where = f"key {key!r}: " if key else ""
        super().__init__(f"{file}: {where}{reason}")
        self.key = key
        self.reason = reason


def settings_path() -> Path:
    """$SHIFTDESK_CONFIG, else settings.toml in the per-user config folder (not created here)."""
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return platformdirs.user_config_path("shiftdesk") / "settings.toml"


# -- checks: each takes the raw TOML value and returns the clean one or raises ValueError -------------


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty string")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError("must not hold control characters")
    return value.strip()


def _database(value: Any) -> str:
    return _text(value)


def _language(value: Any) -> str:
    from console.i18n import LANGUAGES

    text = _text(value)
    if text not in LANGUAGES:
        raise ValueError(f"{text!r} is not one of {', '.join(LANGUAGES)}")
    return text


def _theme(value: Any) -> str:
    from textual.theme import BUILTIN_THEMES

    text = _text(value)
    if text not in BUILTIN_THEMES:
        raise ValueError(f"{text!r} is not a theme; try one of {', '.join(sorted(BUILTIN_THEMES))}")
    return text


def _timezone(value: Any) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    text = _text(value)
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{text!r} is not a time zone (e.g. Asia/Taipei, UTC)") from None
    return text


def _keys(value: Any) -> str:
    text = _text(value)
    keys = [k.strip() for k in text.split(",")]
    if not all(keys) or any(" " in k for k in keys):
        raise ValueError(f"{text!r} is not a comma-separated list of keys (e.g. \"ctrl+j,down\")")
    return ",".join(keys)


def _keymap(value: Any) -> Mapping[str, str]:
    if not isinstance(value, dict):
        raise ValueError("must be a table of binding id = \"keys\"")
    clean: dict[str, str] = {}
    for binding_id, keys in value.items():
        try:
            clean[_text(binding_id)] = _keys(keys)
        except ValueError as exc:
            raise ValueError(f"{binding_id!r}: {exc}") from None
    return MappingProxyType(clean)


CHECKS: dict[str, Callable[[Any], Any]] = {
    "database": _database,
    "language": _language,
    "theme": _theme,
    "timezone": _timezone,
    "keymap": _keymap,
}
KEYS = tuple(CHECKS)

# Keys people look for here that belong to the whole team, so one console cannot disagree with
# the rest; refused with where they live instead.
ELSEWHERE: dict[str, str] = {
    "at_risk_share": "the at-risk threshold is the team's, one per SLA policy, so every screen and "
    "console agrees: shiftdesk policy set NAME --warn-share 0.25",
}


def _unknown(key: str) -> str:
    """Why `key` is refused: where it lives, or the keys there are."""
    if key in ELSEWHERE:
        return ELSEWHERE[key]
    known = ", ".join(k if k != "keymap" else "keymap.<binding id>" for k in KEYS)
    return f"unknown key (known: {known})"


# -- reading -----------------------------------------------------------------------------------------


def _read(path: Path) -> dict[str, Any]:
    """The file's table ({} if there is none); raises SettingsError when it is no TOML."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise SettingsError(path.name, None, f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise SettingsError(path.name, None, "not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(path.name, None, f"not valid TOML ({exc})") from None


def from_table(table: Mapping[str, Any], file: str = "settings.toml") -> tuple[dict[str, Any], list[SettingsError]]:
    """The checked values of a table, and one problem for each key dropped."""
    values: dict[str, Any] = {}
    problems: list[SettingsError] = []
    for key, value in table.items():
        check = CHECKS.get(key)
        if check is None:
            problems.append(SettingsError(file, key, _unknown(key)))
            continue
        try:
            values[key] = check(value)
        except ValueError as exc:
            problems.append(SettingsError(file, key, str(exc)))
    return values, problems


def load(path: Path | None = None) -> tuple[Settings, list[str]]:
    """The settings in `path` (default: settings_path()) and the problems found; never raises."""
    path = path or settings_path()
    try:
        table = _read(path)
    except SettingsError as exc:
        return Settings(path=path), [str(exc)]
    values, problems = from_table(table, path.name)
    return Settings(path=path, **values), [str(p) for p in problems]


# -- writing -----------------------------------------------------------------------------------------


def _toml_string(value: str) -> str:
    import json

    # A JSON string is a TOML basic string, except that TOML also wants DEL escaped.
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_key(key: str) -> str:
    bare = key and all(c.isascii() and (c.isalnum() or c in "-_") for c in key)
    return key if bare else _toml_string(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, float):
        return repr(value)
    raise TypeError(f"no TOML for {type(value).__name__}")


def to_toml(settings: Settings) -> str:
    """The file for these settings: set keys only, tables last (TOML wants them after the rest)."""
    lines: list[str] = []
    tables: list[str] = []
    for f in fields(settings):
        if f.name == "path":
            continue
        value = getattr(settings, f.name)
        if f.name == "keymap":
            if value:
                tables.append("")
                tables.append("[keymap]")
                tables.extend(f"{_toml_key(k)} = {_toml_string(v)}" for k, v in sorted(value.items()))
            continue
        if value is None:
            continue
        lines.append(f"{f.name} = {_toml_value(value)}")
    return "\n".join([*lines, *tables]).lstrip("\n") + "\n"


def parse_value(key: str, text: str, file: str = "settings.toml") -> tuple[str, Any]:
    """`config set KEY VALUE`: the field and its checked value; `keymap.<id>` sets one binding.

    Raises SettingsError in the same words load() would use for that key in the file.
    """
    if key.startswith("keymap."):
        binding_id = key.split(".", 1)[1]
        try:
            return "keymap", (binding_id, _keys(text))
        except ValueError as exc:
            raise SettingsError(file, key, str(exc)) from None
    check = CHECKS.get(key)
    if check is None or key == "keymap":
        raise SettingsError(file, key, _unknown(key))
    try:
        return key, check(text)
    except ValueError as exc:
        raise SettingsError(file, key, str(exc)) from None


def _current(path: Path, key: str) -> Settings:
    """The file's settings, for rewriting it; refused if other keys are bad (they would be lost)."""
    values, problems = from_table(_read(path), path.name)  # no TOML: refused, never overwritten
    others = [p for p in problems if p.key != key.split(".", 1)[0]]
    if others:
        raise SettingsError(path.name, None, "fix or remove these first: " + "; ".join(map(str, others)))
    return Settings(path=path, **values)


def write_value(path: Path, key: str, text: str) -> Settings:
    """Check and store one setting; nothing is written when the value or the file is bad.

    The file is rewritten from its checked values (comments are not kept), atomically.
    """
    field_name, value = parse_value(key, text, path.name)
    current = _current(path, key)
    if field_name == "keymap":
        binding_id, keys = value
        value = MappingProxyType({**current.keymap, binding_id: keys})
    updated = replace(current, **{field_name: value})
    save(updated, path)
    return updated


def unset_value(path: Path, key: str) -> Settings:
    """Drop one setting (or one `keymap.<id>` binding) from the file."""
    name = key.split(".", 1)[0] if key.startswith("keymap.") else key
    if name not in CHECKS:
        raise SettingsError(path.name, key, _unknown(key))
    current = _current(path, key)
    if key.startswith("keymap."):
        keymap = {k: v for k, v in current.keymap.items() if k != key.split(".", 1)[1]}
        updated = replace(current, keymap=MappingProxyType(keymap))
    else:
        default = next(f for f in fields(Settings) if f.name == name)
        updated = replace(current, **{name: default.default_factory() if name == "keymap" else default.default})
    save(updated, path)
    return updated


def save(settings: Settings, path: Path) -> None:
    """Write the file atomically (a temporary file beside it, then renamed over it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(to_toml(settings), encoding="utf-8")
    os.replace(tmp, path)


def remember(path: Path | None, key: str, value: str) -> bool:
    """Store a value the console chose (the theme picked); a failure is logged, never raised."""
    if path is None:
        return False
    import logging

    try:
        write_value(path, key, value)
    except (SettingsError, OSError) as exc:
        logging.getLogger("shiftdesk.settings").warning("could not remember %s: %s", key, exc)
        return False
    return True
