"""The reject file of `import --skip-bad`: the refused records exactly as they were written, in
the input's own shape, so they can be fixed and imported again."""

from __future__ import annotations

from pathlib import Path

from store.intake.records import Parsed


def default_reject_path(source: Path) -> Path:
    """Beside the input: tickets.csv -> tickets.rejected.csv."""
    return source.with_name(f"{source.stem}.rejected{source.suffix or '.txt'}")


def reject_text(parsed: Parsed, lines: set[int]) -> str:
    """The raw text of the records that start on `lines`, wrapped as the input was."""
    units = [parsed.units[n] for n in sorted(lines) if n in parsed.units]
    raws = [u.raw for u in units]
    if parsed.container == "csv":
        body = "".join(raw if raw.endswith("\n") else raw + "\n" for raw in raws)
        return parsed.header + body
    if parsed.container == "jsonl":
        return "".join(raw.rstrip("\r\n") + "\n" for raw in raws)
    if parsed.container == "json-array":
        return "[\n" + ",\n".join(raws) + "\n]\n"
    members = ['"tickets": [\n' + ",\n".join(raws) + "\n]"]
    for key, raw in (parsed.extra.get("others_raw") or {}).items():
        if key in ("users", "organizations", "groups"):
            members.append(f'"{key}": {raw}')
    return "{" + ",\n".join(members) + "}\n"
