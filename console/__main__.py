"""`python -m console`: the same command line as `shiftdesk`, for when the script is not on PATH."""

from __future__ import annotations

from console.cli import main

if __name__ == "__main__":
    main()
