"""Words for demo data: names, subjects and messages in zh-TW and English, per category."""

from __future__ import annotations

import random

SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝洪郭邱曾廖賴徐周葉蘇莊呂江何蕭羅高潘簡朱鍾彭游詹胡施沈余盧梁趙顏柯翁魏孫戴"
GIVEN = "雅婷怡君宗翰家豪志明淑芬俊傑佳穎冠宇詩涵承恩欣怡建宏美玲宜蓁子軒柏翰思妤品妍育誠雅惠宏仁文傑"
EN_FIRST = ("Amy", "Ben", "Chloe", "David", "Emma", "Frank", "Grace", "Henry", "Ivy", "Jack", "Kate", "Leo",
            "Mia", "Noah", "Olivia", "Peter", "Queenie", "Ryan", "Sara", "Tom", "Una", "Victor", "Wendy", "Zoe")
EN_LAST = ("Chen", "Lin", "Wang", "Smith", "Brown", "Lee", "Garcia", "Kim", "Nguyen", "Patel", "Huang", "Wu")
PRODUCTS_ZH = ("無線耳機", "智慧手錶", "空氣清淨機", "咖啡機", "行動電源", "登山背包", "機械鍵盤", "電動牙刷", "保溫瓶", "掃地機器人")
PRODUCTS_EN = ("wireless earbuds", "smart watch", "air purifier", "coffee maker", "power bank", "hiking backpack",
               "mechanical keyboard", "electric toothbrush", "vacuum flask", "robot vacuum")

SUBJECTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "購買前諮詢/產品規格": (("{p}的尺寸和重量是多少?", "請問{p}支援哪些規格", "{p}和舊款有什麼差別"),
                       ("What size is the {p}?", "Does the {p} work with my phone?", "{p} specs question")),
    "購買前諮詢/價格與優惠": (("{p}還有優惠嗎", "會員折扣怎麼用在{p}", "{p}價格和官網不同"),
                        ("Is there a discount on the {p}?", "Coupon not applied to {p}", "Price match for {p}")),
    "購買前諮詢/庫存與到貨": (("{p}什麼時候補貨", "{p}顯示缺貨", "想預購{p}"),
                        ("When is the {p} back in stock?", "{p} shows out of stock", "Pre-order the {p}?")),
    "訂單服務/訂單狀態": (("訂單 {o} 還沒出貨", "訂單 {o} 物流延遲", "請問訂單 {o} 到哪了"),
                     ("Order {o} has not shipped", "Order {o} is late", "Where is my order {o}?")),
    "訂單服務/修改取消": (("想取消訂單 {o}", "訂單 {o} 要改收件地址", "訂單 {o} 要加購"),
                     ("Cancel order {o}", "Change the address on order {o}", "Add an item to order {o}")),
    "訂單服務/發票證明": (("訂單 {o} 需要統編發票", "發票 {o} 沒收到", "發票抬頭開錯"),
                     ("Invoice for order {o}", "Did not receive the invoice for {o}", "Wrong name on my invoice")),
    "售後支援/使用問題": (("{p}怎麼設定", "{p}無法配對", "{p}說明書看不懂"),
                     ("How do I set up the {p}?", "{p} will not pair", "{p} manual is unclear")),
    "售後支援/保固維修": (("{p}壞了要送修", "{p}保固還有效嗎", "{p}開不了機"),
                     ("My {p} is broken", "Is my {p} still under warranty?", "{p} will not turn on")),
    "售後支援/退換貨": (("{p}想退貨", "收到的{p}有瑕疵要換貨", "退款什麼時候會到"),
                    ("Return my {p}", "Exchange a faulty {p}", "When will my refund arrive?")),
    "其他/帳號會員": (("忘記密碼無法登入", "會員點數不見了", "帳號被鎖住"),
                  ("Forgot my password", "My loyalty points are missing", "Account locked")),
    "其他/系統問題": (("付款失敗但有扣款", "結帳頁面一直錯誤", "訂單 {o} 重複扣款"),
                  ("Payment failed but I was charged", "Checkout keeps failing", "Charged twice for order {o}")),
    "其他/商業合作": (("想洽談團購合作", "對 App 的建議", "企業採購詢問"),
                  ("Partnership enquiry", "A suggestion for your app", "Bulk order for our company")),
}

BODIES_ZH = ("您好,{s}。麻煩協助確認,謝謝。", "{s},已經等了好幾天了,請盡快回覆。", "想請教一下:{s}。附上訂單資料供參考。")
BODIES_EN = ("Hello, {s}. Could you please check? Thanks.", "{s}. I have been waiting for days, please reply soon.",
             "Quick question: {s}. Order details attached.")
REPLIES_ZH = ("感謝您的來信,我們已經在確認中,稍後回覆您處理進度。", "已為您處理完成,如有其他問題歡迎再聯繫我們。",
              "造成不便深感抱歉,已為您安排優先處理。")
REPLIES_EN = ("Thanks for writing in; we are checking and will update you shortly.",
              "This is sorted now. Let us know if anything else comes up.",
              "Sorry for the trouble; I have put this at the front of the line.")
FOLLOWUPS_ZH = ("請問目前進度如何?", "還是沒有解決,麻煩再幫忙看看。", "收到,謝謝!")
FOLLOWUPS_EN = ("Any update on this?", "Still not fixed, could you look again?", "Got it, thank you!")
NOTES_ZH = ("已轉物流確認", "等待客戶提供照片", "已轉工程師")
NOTES_EN = ("Checking with the courier", "Waiting for photos from the customer", "Passed to engineering")


def person_name(rng: random.Random, english: bool) -> str:
    if english:
        return f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"
    given = rng.randrange(0, len(GIVEN) - 1, 2)
    return rng.choice(SURNAMES) + GIVEN[given : given + 2]


def unique_person_name(rng: random.Random, english: bool, taken: set[str]) -> str:
    """A name nobody in `taken` has (agents must be told apart), added to `taken`."""
    for _ in range(1000):
        name = person_name(rng, english)
        if name not in taken:
            taken.add(name)
            return name
    raise ValueError("ran out of distinct demo names")


def subject(rng: random.Random, category: str, english: bool, order_id: str) -> str:
    zh, en = SUBJECTS[category]
    product = rng.choice(PRODUCTS_EN if english else PRODUCTS_ZH)
    return rng.choice(en if english else zh).format(p=product, o=order_id)


def body(rng: random.Random, subject_text: str, english: bool) -> str:
    return rng.choice(BODIES_EN if english else BODIES_ZH).format(s=subject_text)


def reply(rng: random.Random, english: bool) -> str:
    return rng.choice(REPLIES_EN if english else REPLIES_ZH)


def followup(rng: random.Random, english: bool) -> str:
    return rng.choice(FOLLOWUPS_EN if english else FOLLOWUPS_ZH)


def note(rng: random.Random, english: bool) -> str:
    return rng.choice(NOTES_EN if english else NOTES_ZH)
