"""The seeds' category tree, and a keyword guess for tickets that arrive without a category."""

from __future__ import annotations

# (path, English label, default priority, keywords that suggest it)
CATEGORY_TREE: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("購買前諮詢/產品規格", "Pre-sales / Specifications", "normal", ("規格", "尺寸", "spec", "size", "compatible", "相容")),
    ("購買前諮詢/價格與優惠", "Pre-sales / Pricing & offers", "normal", ("價格", "優惠", "折扣", "price", "discount", "coupon")),
    ("購買前諮詢/庫存與到貨", "Pre-sales / Stock & arrival", "high", ("庫存", "缺貨", "到貨", "stock", "restock", "out of stock")),
    ("訂單服務/訂單狀態", "Orders / Order status", "high", ("訂單", "出貨", "物流", "延遲", "order", "shipping", "delivery", "late")),
    ("訂單服務/修改取消", "Orders / Change or cancel", "high", ("取消", "修改", "地址", "cancel", "change address", "modify")),
    ("訂單服務/發票證明", "Orders / Invoices", "normal", ("發票", "收據", "統編", "invoice", "receipt")),
    ("售後支援/使用問題", "After-sales / How to use", "normal", ("怎麼用", "教學", "設定", "how to", "setup", "manual")),
    ("售後支援/保固維修", "After-sales / Warranty & repair", "high", ("保固", "維修", "故障", "壞", "warranty", "repair", "broken")),
    ("售後支援/退換貨", "After-sales / Returns & exchanges", "high", ("退貨", "換貨", "退款", "return", "exchange", "refund")),
    ("其他/帳號會員", "Other / Account & membership", "normal", ("帳號", "密碼", "登入", "會員", "account", "password", "login")),
    ("其他/系統問題", "Other / System problem", "urgent", ("付款失敗", "扣款", "系統錯誤", "當機", "payment failed", "charged twice", "error", "outage")),
    ("其他/商業合作", "Other / Partnerships", "low", ("合作", "建議", "提案", "partnership", "suggestion", "proposal")),
)
CATEGORIES = tuple(path for path, *_ in CATEGORY_TREE)
CATEGORY_LABELS_EN = {path: label for path, label, *_ in CATEGORY_TREE}
TOP_LEVELS = tuple(dict.fromkeys(path.split("/")[0] for path in CATEGORIES))


def category_label(path: str, language: str) -> str:
    """Categories are Chinese identifiers; English screens show a label instead (a top level alone
    by its first part, an unknown category as stored)."""
    if language != "en":
        return path
    if path in CATEGORY_LABELS_EN:
        return CATEGORY_LABELS_EN[path]
    for full, label in CATEGORY_LABELS_EN.items():
        if full.split("/")[0] == path:
            return label.split(" / ")[0]
    return path


def category_leaf(path: str, language: str) -> str:
    """The last part of a category as the language shows it ("退換貨", "Returns & exchanges")."""
    label = category_label(path, language)
    return label.rsplit(" / ", 1)[-1] if label != path else path.rsplit("/", 1)[-1]


def guess_category(*texts: str) -> str:
    """The category whose keywords occur most often in the texts, or 其他 when nothing matches."""
    haystack = " ".join(texts).lower()
    best, best_hits = "", 0
    for path, _label, _priority, keywords in CATEGORY_TREE:
        hits = sum(haystack.count(k.lower()) for k in keywords)
        if hits > best_hits:
            best, best_hits = path, hits
    return best or "其他"


def default_priority(category: str) -> str:
    for path, _label, priority, _keywords in CATEGORY_TREE:
        if category == path:
            return priority
    return "normal"
