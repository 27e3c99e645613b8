"""Strings of intake: `shiftdesk import`, `ingest` and `rules list`, and every problem they report.

The `intake.err.*` keys mirror store.intake.records.MESSAGES (a test keeps them in step).
"""

STRINGS = {
    # -- problems in the input ---------------------------------------------------------------------
    "intake.err.file_unreadable": ("無法讀取檔案:{error}", "cannot read the file: {error}"),
    "intake.err.encoding_unknown": ("不認得的編碼 {encoding!r}", "unknown encoding {encoding!r}"),
    "intake.err.encoding_invalid": ("不是有效的 {encoding}:位元組 {byte} 無法解碼", "not valid {encoding}: byte {byte} cannot be decoded"),
    "intake.err.encoding_unsure": (
        "不是 UTF-8,用 Big5(cp950)讀也不像中文;請用 --encoding 指定編碼(例如 --encoding cp950)",
        "not UTF-8, and it does not read as Big5 (cp950) either; say which encoding it is with --encoding "
        "(for example --encoding cp950)",
    ),
    "intake.err.empty_file": ("檔案裡沒有任何紀錄", "the file holds no records"),
    "intake.err.format_unknown": ("無法判斷格式:{detail}", "cannot tell the format: {detail}"),
    "intake.err.json_syntax": ("JSON 格式錯誤(第 {column} 欄):{detail}", "malformed JSON at column {column}: {detail}"),
    "intake.err.json_truncated": ("JSON 提前結束(檔案是否不完整?):{detail}", "the JSON ends early (is the file truncated?): {detail}"),
    "intake.err.json_not_object": ("應為 JSON 物件,卻是 {found}", "expected a JSON object, found {found}"),
    "intake.err.csv_unterminated": (
        "此行開始的引號欄位始終沒有結束(檔案在第 {end} 行結束)",
        "a quoted field opens on this line and is never closed (the file ends at line {end})",
    ),
    "intake.err.csv_syntax": ("CSV 格式錯誤:{detail}", "malformed CSV: {detail}"),
    "intake.err.csv_columns": ("有 {found} 欄,但標題列有 {expected} 欄", "{found} columns where the header has {expected}"),
    "intake.err.csv_header_missing": ("標題列缺少欄位 {columns}", "the header lacks the column(s) {columns}"),
    "intake.err.csv_header_duplicate": ("標題列中欄位 {column!r} 出現兩次", "the column {column!r} appears twice in the header"),
    "intake.err.field_missing": ("{field}:必填", "{field}: required"),
    "intake.err.field_empty": ("{field}:是空的", "{field}: empty"),
    "intake.err.field_type": ("{field}:應為{expected},卻是{found}", "{field}: expected {expected}, found {found}"),
    "intake.err.field_unknown": (
        "{field}:{kind} 紀錄沒有這個欄位(可用:{allowed})",
        "{field}: not a field of a {kind} record (allowed: {allowed})",
    ),
    "intake.err.field_too_long": ("{field}:{length} 個字元,上限 {limit}", "{field}: {length} characters, the limit is {limit}"),
    "intake.err.bad_time": (
        "{field}:{value!r} 不是日期時間(請用 ISO 8601,例如 2024-01-15T09:30:00+08:00)",
        "{field}: {value!r} is not a date and time (use ISO 8601, e.g. 2024-01-15T09:30:00+08:00)",
    ),
    "intake.err.naive_time": (
        "{field}:{value!r} 沒有時區;請寫上(Z 或 +08:00),或用 --tz 指定檔案時間所用的時區",
        "{field}: {value!r} has no UTC offset; write it with one (Z or +08:00) or pass --tz with the zone "
        "the file's times are in",
    ),
    "intake.err.future_time": ("{field}:{value} 是未來的時間", "{field}: {value} is in the future"),
    "intake.err.before_created": ("{field}:{value} 早於案件建立時間({created})", "{field}: {value} is before the ticket was created ({created})"),
    "intake.err.bad_choice": ("{field}:{value!r} 不是下列之一:{allowed}", "{field}: {value!r} is not one of {allowed}"),
    "intake.err.bad_score": ("分數:{value} 超出 {kind} 的範圍 {low}-{high}", "score: {value} is outside {low}-{high} for {kind}"),
    "intake.err.duplicate_id": ("{field} {value!r} 在檔案中出現兩次(第一次在第 {first} 行)", "{field} {value!r} appears twice in this file (first on line {first})"),
    "intake.err.unknown_ticket": ("檔案與資料庫中都沒有 external_id 為 {value!r} 的案件", "no ticket with external_id {value!r} in this file or in the database"),
    "intake.err.ticket_rejected": ("所屬案件 {value!r}(第 {first} 行)已被拒絕", "its ticket {value!r} (line {first}) was rejected"),
    "intake.err.out_of_order": (
        "{field}:{value} 早於這件案件最後一次變動({last});Shiftdesk 依時間順序記錄案件事件",
        "{field}: {value} is earlier than the ticket's last change ({last}); Shiftdesk records a ticket's "
        "events in order",
    ),
    "intake.err.unknown_user": ("{field}:使用者 {value} 不在檔案的 users 中", "{field}: user {value} is not among the file's users"),
    "intake.err.needs_tz": (
        "{source} 的匯出檔沒有時區;請用 --tz 指定客服系統使用的時區(例如 --tz Asia/Taipei)",
        "{source} exports carry no time zone; pass --tz with the zone your helpdesk uses (for example --tz Asia/Taipei)",
    ),
    "intake.err.apply_failed": ("無法寫入:{error}", "could not be recorded: {error}"),
    # -- import --------------------------------------------------------------------------------------
    "intake.bad_format": ("--format:{value!r} 不是下列之一:{allowed}", "--format: {value!r} is not one of {allowed}"),
    "intake.bad_tz": ("--tz:不認得的時區 {value!r}", "--tz: unknown time zone {value!r}"),
    "intake.bad_encoding": ("--encoding:不認得的編碼 {value!r}", "--encoding: unknown encoding {value!r}"),
    "intake.reject_many": ("多個檔案時 --reject 必須是資料夾", "with several files, --reject must be a directory"),
    "intake.rules_error": ("規則檔無法使用:{error}", "The rules cannot be used: {error}"),
    "intake.progress": ("匯入 {name}", "Importing {name}"),
    "intake.refused_file": (
        "{source}:無法使用這個檔案(原因如上),沒有匯入任何資料",
        "{source}: the file itself cannot be used (see above), so nothing was imported",
    ),
    "intake.refused": (
        "{source}:有 {n} 筆紀錄有問題,所以沒有匯入任何資料(可加上 --skip-bad 只匯入正確的紀錄)",
        "{source}: {n} bad record(s), so nothing was imported (add --skip-bad to import the good ones)",
    ),
    "intake.done": (
        "{source}:新增 {created} 件案件、更新 {updated} 件、未變 {unchanged} 件;訊息 {messages}、狀態 {statuses}、"
        "問卷 {surveys};已存在而略過 {duplicates} 筆;套用規則 {rules} 次",
        "{source}: {created} tickets created, {updated} updated, {unchanged} unchanged; {messages} messages, "
        "{statuses} status changes, {surveys} surveys; {duplicates} already there and skipped; {rules} rules applied",
    ),
    "intake.repaired": (
        "{source}:{n} 處文字無法以 UTF-8 儲存,已換成 U+FFFD 並記在事件資料中",
        "{source}: {n} piece(s) of text could not be stored as UTF-8; replaced with U+FFFD and noted in the event data",
    ),
    "intake.rejected": (
        "{source}:略過 {n} 筆有問題的紀錄,原文寫在 {path}",
        "{source}: skipped {n} bad record(s); they are written as they were to {path}",
    ),
    "intake.summary_failed": ("{n} 個檔案沒有匯入。", "{n} file(s) not imported."),
    # -- ingest --------------------------------------------------------------------------------------
    "intake.ingest_done": ("ingest 結束:寫入 {ok} 筆,有問題 {bad} 筆。", "ingest finished: {ok} record(s) written, {bad} bad."),
    # -- rules ---------------------------------------------------------------------------------------
    "intake.rules.id": ("規則", "rule"),
    "intake.rules.when": ("條件", "when"),
    "intake.rules.then": ("動作", "then"),
    "intake.rules.reason": ("原因", "reason"),
    "intake.rules.origin": ("來源", "from"),
    "intake.rules.shipped": ("內建", "shipped"),
    "intake.rules.user": ("自訂", "yours"),
    "intake.rules.keywords": ("關鍵字({language}):{words}", "keywords ({language}): {words}"),
    "intake.rules.tiers": ("會員等級:{tiers}", "tiers: {tiers}"),
    "intake.rules.channels": ("管道:{channels}", "channels: {channels}"),
    "intake.rules.priority": ("優先度至少 {priority}", "priority at least {priority}"),
    "intake.rules.flag": ("標記給組長", "flag for a lead"),
    "intake.rules.files": ("內建規則:{shipped}\n自訂規則:{user}({state})", "Shipped rules: {shipped}\nYour rules: {user} ({state})"),
    "intake.rules.found": ("已讀取", "read"),
    "intake.rules.absent": ("不存在,可建立此檔覆寫或新增規則", "not there; create it to override or add rules"),
}
