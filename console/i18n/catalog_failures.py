"""What the console says when work in the background failed (console/failures.py)."""

STRINGS = {
    "failure.locked": ("另一個程式正占用資料庫(例如匯入中),這次沒有任何變更,稍候可以再做一次",
                       "another program is holding the database (an import, perhaps); nothing was changed, "
                       "so the same action can be repeated in a moment"),
    "failure.background": ("背景工作失敗:{error}", "Background work failed: {error}"),
    "failure.queue.load": ("佇列讀取失敗:{error}", "The queue could not load: {error}"),
    "failure.queue.detail": ("案件內容讀取失敗:{error}", "The ticket could not load: {error}"),
    "failure.queue.agents": ("客服名單讀取失敗:{error}", "The agent list could not load: {error}"),
    "failure.queue.jump": ("找不到這件案件的位置:{error}", "Finding the ticket failed: {error}"),
    "failure.queue.write": ("動作失敗:{error}", "That did not work: {error}"),
    "failure.handover.refresh": ("交接更新失敗:{error}", "The handover could not refresh: {error}"),
    "failure.handover.doc": ("交接紀錄沒有存起來:{error}", "The handover was not updated: {error}"),
    "failure.handover.history": ("交接歷史讀取失敗:{error}", "The handover history could not load: {error}"),
    "failure.handover.open": ("交接紀錄開啟失敗:{error}", "The handover could not open: {error}"),
}
