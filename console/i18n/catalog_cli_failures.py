"""One sentence per failure a command can meet (console/commands/common.py, `explain`): the cause
and what to do. {db} is the database as the user named it, {detail} the system's own words."""

STRINGS = {
    "fail.usage": ("用法錯誤:{detail};請看 `{help}`。", "{detail}; see `{help}`."),
    "fail.locked": (
        "資料庫 {db} 正被另一個程式鎖住寫入,等候逾時;請稍後再執行一次這個指令。",
        "the database {db} is locked by another process that is writing to it; run the command again in a moment.",
    ),
    "fail.deadlock": (
        "資料庫 {db} 上兩個寫入互相等待,這次已取消;請再執行一次。",
        "two writes to {db} waited on each other and this one was cancelled; run the command again.",
    ),
    "fail.readonly": (
        "資料庫 {db} 是唯讀的,無法寫入;請改用可寫入的檔案,或請管理者開放寫入權限。",
        "the database {db} is read-only; use a file you may write, or ask for write permission.",
    ),
    "fail.not_database": (
        "{db} 不是 SQLite 資料庫(或已損壞);請用 --db 指定 Shiftdesk 的資料庫檔案。",
        "{db} is not a SQLite database (or it is damaged); name a Shiftdesk database file with --db.",
    ),
    "fail.cannot_open": (
        "無法開啟或建立資料庫 {db};請用 --db 指定一個可寫入資料夾裡的檔案。",
        "cannot open or create the database {db}; name a file in a folder you may write with --db.",
    ),
    "fail.io": (
        "讀寫資料庫 {db} 時發生磁碟錯誤({detail});請檢查磁碟後再試。",
        "a disk error while using {db} ({detail}); check the disk and try again.",
    ),
    "fail.disk_full": (
        "磁碟已滿,無法寫入 {db};請清出空間後再試。",
        "the disk holding {db} is full; free some space and try again.",
    ),
    "fail.no_schema": (
        "{db} 裡沒有 Shiftdesk 的資料表({detail});請先執行 shiftdesk init。",
        "{db} holds no Shiftdesk tables ({detail}); run shiftdesk init first.",
    ),
    "fail.too_long": (
        "有個值超過資料庫欄位的長度上限({detail});請改短後再試。",
        "a value is longer than its database column allows ({detail}); shorten it and try again.",
    ),
    "fail.out_of_range": (
        "有個數字超出範圍({detail});編號與位置須介於 1 與 9223372036854775807 之間。",
        "a number is out of range ({detail}); ids and positions lie between 1 and 9223372036854775807.",
    ),
    "fail.pg_auth": (
        "PostgreSQL 拒絕登入({detail});請檢查 --db 裡的使用者名稱與密碼(或 ~/.pgpass)。",
        "PostgreSQL refused the login ({detail}); check the user and password in --db (or ~/.pgpass).",
    ),
    "fail.pg_no_database": (
        "PostgreSQL 上找不到這個資料庫({detail});請檢查 --db,或先以 createdb 建立。",
        "PostgreSQL has no such database ({detail}); check --db, or create it with createdb.",
    ),
    "fail.pg_unreachable": (
        "連不上 PostgreSQL 伺服器 {db}({detail});請確認伺服器正在執行,且主機與連接埠正確。",
        "cannot reach the PostgreSQL server {db} ({detail}); check that it runs and the host and port are right.",
    ),
    "fail.pg_lost": (
        "與 PostgreSQL 的連線中斷了({detail});請再執行一次。",
        "the connection to PostgreSQL was lost ({detail}); run the command again.",
    ),
    "fail.pg_denied": (
        "資料庫拒絕了這個動作:{detail}。請以有權限的登入執行,或請負責人調整權限。",
        "the database refused this: {detail}. Run it with a login that may, or ask the owner for the right role.",
    ),
    "fail.permission": (
        "沒有權限存取 {path}({detail});請換一個位置,或調整檔案權限。",
        "no permission to use {path} ({detail}); choose another place or change the file's permissions.",
    ),
    "fail.missing": (
        "找不到 {path};請檢查路徑。",
        "{path} does not exist; check the path.",
    ),
    "fail.is_directory": (
        "{path} 是資料夾,不是檔案;請指定一個檔案。",
        "{path} is a folder, not a file; name a file.",
    ),
    "fail.not_a_folder": (
        "{path} 是檔案,不是資料夾({detail});請換一個位置。",
        "{path} is a file where a folder is needed ({detail}); choose another place.",
    ),
    "fail.os_error": (
        "無法使用 {path}({detail})。",
        "cannot use {path} ({detail}).",
    ),
    "fail.unexpected": (
        "發生未預期的錯誤({detail});詳情已寫入記錄檔,請回報這個問題。",
        "an unexpected error ({detail}); the details are in the log file; please report it.",
    ),
}
