"""Strings of the setup commands (init, demo, db, agents)."""

STRINGS = {
    "setup.init_done": ("資料庫已就緒:{url}", "Database ready: {url}"),
    "setup.db_current": ("資料庫已是最新版本({rev})。", "Database is already at the latest revision ({rev})."),
    "setup.db_upgraded": ("資料庫已從 {before} 升級到 {after}。", "Database upgraded from {before} to {after}."),
    "setup.db_saved": ("升級前的副本存於 {path}", "A copy from before the upgrade is at {path}"),
    "setup.backup_not_sqlite": (
        "db backup 只適用於 SQLite 檔案;PostgreSQL 請使用 pg_dump。",
        "db backup works on SQLite files; for PostgreSQL use pg_dump.",
    ),
    "setup.no_database": ("找不到資料庫檔案:{path}", "No database file at {path}"),
    "setup.backup_failed": (
        "無法把備份寫到 {path}({detail});請用 --to 指定可寫入的位置。",
        "cannot write the copy to {path} ({detail}); name a place you may write with --to.",
    ),
    "setup.backup_done": ("備份完成:{path}", "Backup written to {path}"),
    "setup.agent_added": ("已新增客服人員 {name}({role})。", "Added agent {name} ({role})."),
    "demo.refused": (
        "這個資料庫已經有案件了({url}),示範資料不會覆蓋它。若確定要清除重建,請加上 --reset。",
        "This database already has tickets ({url}); the demo will not touch it. Add --reset to wipe it and start over.",
    ),
    "demo.refused_foreign": (
        "{url} 已存在,但不是 Shiftdesk 資料庫;示範不會覆蓋它。加上 --reset 才會取代它。",
        "{url} exists and is not a Shiftdesk database; the demo leaves it alone. Add --reset to replace it.",
    ),
    "demo.target_busy": (
        "{url} 正被其他程式開啟(例如主控台);請先關閉後再執行示範。原本的資料庫沒有變更。",
        "{url} is open in another program (a console, perhaps); close it and run the demo again. "
        "The database is unchanged.",
    ),
    "demo.pg_aside": (
        "PostgreSQL:示範先建在暫用的 schema {schema},完成後一次交易換入;中斷時原本的資料庫不變。",
        "PostgreSQL: the demo is built in the scratch schema {schema} and swapped in by one transaction when "
        "complete; interrupted, the database stays as it was.",
    ),
    "demo.pg_busy": (
        "另一個示範正在為 {url} 建立;請等它完成。資料庫沒有變更。",
        "Another demo is being built for {url}; wait for it to finish. The database is unchanged.",
    ),
    "demo.pg_no_scratch": (
        "無法在 {url} 建立暫用的 schema({detail});示範需要資料庫的 CREATE 權限。資料庫沒有變更。",
        "Cannot create the demo's scratch schema in {url} ({detail}); the demo needs CREATE on the database. "
        "The database is unchanged.",
    ),
    "demo.pg_reset_confirm": (
        "要刪除 {url} 中所有 Shiftdesk 資料表並重建示範嗎?",
        "Drop every Shiftdesk table in {url} and build the demo afresh?",
    ),
    "demo.pg_reset_needs_terminal": (
        "在 PostgreSQL 上 --reset 會刪除 {url} 的所有資料表,需要在終端機上確認;請在終端機執行。",
        "On PostgreSQL --reset drops every table in {url} and must be confirmed at a terminal; run it in one.",
    ),
    "demo.reset": ("已清除資料庫:{url}", "Wiped the database: {url}"),
    "demo.building": ("建立示範資料", "Building demo data"),
    "demo.phase.tickets": ("未結案件", "open tickets"),
    "demo.phase.history": ("歷史案件", "history"),
    "demo.phase.schema": ("資料庫結構", "database schema"),
    "demo.phase.people": ("客服人員與客戶", "agents and customers"),
    "demo.existing": (
        "這個資料庫已經有案件了({url}),直接開啟,不重建。要清除重建請加上 --reset。",
        "This database already has tickets ({url}); opening it as it is. Add --reset to wipe it and build it again.",
    ),
    "demo.existing_no_open": (
        "這個資料庫已經有案件了({url}),未做任何變更。要清除重建請加上 --reset。",
        "This database already has tickets ({url}); nothing changed. Add --reset to wipe it and build it again.",
    ),
    "setup.missing_database": (
        "找不到資料庫:{path}。請檢查 --db 或 SHIFTDESK_DB;要建立新的資料庫請執行 `shiftdesk init`(或 `shiftdesk demo` 建立示範資料)。",
        "No database at {path}. Check --db or SHIFTDESK_DB; to create a new one run `shiftdesk init` "
        "(or `shiftdesk demo` for sample data).",
    ),
    "setup.upgrading": ("升級資料庫結構", "Upgrading the schema"),
    "setup.backing_up": ("備份資料庫", "Backing up"),
    "report.computing": ("計算報表", "Computing the report"),
    "demo.phase.indexes": ("索引", "indexes"),
    "demo.done": (
        "完成:{tickets} 件案件、{events} 筆事件、{clocks} 個 SLA 計時、{surveys} 份問卷,耗時 {seconds:.1f} 秒。",
        "Done: {tickets} tickets, {events} events, {clocks} SLA clocks, {surveys} surveys in {seconds:.1f} s.",
    ),
    "demo.open_as": ("以 {name} 的身分開啟主控台。", "Opening the console as {name}."),
}
