"""The one catalogue every user-visible string goes through (zh-TW and English).

Each area keeps its strings in its own `catalog_<area>.py` module holding
`STRINGS = {"key": ("中文", "English"), ...}`; they are merged here on first use.
Values are str.format templates: `t("queue.count", n=3)`.
"""

from __future__ import annotations

import importlib
import locale
import os
import pkgutil

LANGUAGES = ("zh-TW", "en")
_catalogue: dict[str, tuple[str, str]] | None = None
_language = "zh-TW"


def _load() -> dict[str, tuple[str, str]]:
    global _catalogue
    if _catalogue is None:
        merged: dict[str, tuple[str, str]] = {}
        for info in pkgutil.iter_modules(__path__):
            if info.name.startswith("catalog_"):
                module = importlib.import_module(f"{__name__}.{info.name}")
                for key, pair in module.STRINGS.items():
                    if key in merged:
                        raise RuntimeError(f"i18n key {key!r} defined twice ({info.name})")
                    merged[key] = pair
        _catalogue = merged
    return _catalogue


def normalise_language(value: str | None) -> str:
    """Map LANG-style values (zh_TW.UTF-8, en_US, zh-Hant) onto the two languages we speak."""
    if not value:
        return "zh-TW"
    v = value.lower().replace("_", "-")
    if v.startswith("en") or v in ("c", "posix", "c.utf-8"):
        return "en"
    return "zh-TW"


def detect_language(explicit: str | None = None) -> str:
    if explicit:
        if explicit not in LANGUAGES:
            raise ValueError(f"--lang: {explicit!r} is not one of {', '.join(LANGUAGES)}")
        return explicit
    for var in ("SHIFTDESK_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return normalise_language(value)
    try:
        return normalise_language(locale.getlocale()[0])
    except ValueError:
        return "zh-TW"


def set_language(lang: str) -> None:
    global _language
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    _language = lang


def get_language() -> str:
    return _language


def t(key: str, /, lang: str | None = None, **kwargs: object) -> str:
    """Look a string up in the current language and format it."""
    pair = _load().get(key)
    if pair is None:
        raise KeyError(f"i18n: no string {key!r}")
    text = pair[0] if (lang or _language) == "zh-TW" else pair[1]
    return text.format(**kwargs) if kwargs else text


def has(key: str) -> bool:
    return key in _load()
