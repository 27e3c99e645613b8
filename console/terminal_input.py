"""Terminal input that a byte which is not UTF-8 cannot end.

Textual 8.2.8's `LinuxDriver.run_input_thread` decodes what the terminal sends with
`codecs.getincrementaldecoder("utf-8")()`, in strict mode: one invalid byte (a Latin-1 paste,
a stray 0xff) raises UnicodeDecodeError in the input thread, the app panics and the process
exits with status 0. Textual has no setting for the decoder's error mode, so this module is
the one place that adapts it: `ShiftdeskDriver` is the Linux driver whose input thread gets
a decoder with ``errors="replace"`` (the bad byte becomes U+FFFD, a harmless character;
a paste around it arrives whole). Nothing else in Shiftdesk touches the driver.
"""

from __future__ import annotations

import codecs
import functools
from typing import Any

from textual.driver import Driver

__all__ = ["driver_class", "lenient_decoder"]


def lenient_decoder(encoding: str) -> Any:
    """`codecs.getincrementaldecoder`, but the decoders it makes replace invalid bytes."""
    return functools.partial(codecs.getincrementaldecoder(encoding), errors="replace")


def driver_class(default: type[Driver]) -> type[Driver]:
    """The driver to run the console with: the lenient Linux driver where Textual picks Linux's."""
    from textual.drivers import linux_driver

    if not issubclass(default, linux_driver.LinuxDriver):
        return default  # Windows, the web or headless drivers decode elsewhere
    # `run_input_thread` looks the factory up in its module when it starts; the name is a plain
    # import there (`from codecs import getincrementaldecoder`). If a Textual upgrade drops it,
    # fail here, loudly, rather than run with the strict decoder again.
    if not callable(getattr(linux_driver, "getincrementaldecoder", None)):
        raise RuntimeError("textual.drivers.linux_driver no longer decodes with getincrementaldecoder: "
                           "review console/terminal_input.py for this Textual version")
    linux_driver.getincrementaldecoder = lenient_decoder  # type: ignore[attr-defined]
    return default
