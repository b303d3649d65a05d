"""Status words of Japanese carriers' tracking pages (Yamato, Sagawa, Japan Post, Seino) as ours.

The words are those shown on the carriers' tracking pages (collected by rawhide/tracker,
plus newer wording such as 発送済み and Sagawa's arrows). Exact words are looked up first;
a word we have not seen is read by the stems it contains, most telling stem first.
"""

import unicodedata

from carriers.status import TrackingStatus

_P = TrackingStatus.PENDING
_L = TrackingStatus.LABEL_CREATED
_T = TrackingStatus.IN_TRANSIT
_O = TrackingStatus.OUT_FOR_DELIVERY
_D = TrackingStatus.DELIVERED
_E = TrackingStatus.EXCEPTION
_R = TrackingStatus.RETURNED_TO_SENDER

# Held for the recipient to collect counts as out for delivery (as EasyPost's
# available_for_pickup does); failed attempts, investigations, refusals and customs holds
# are exceptions, because a person may have to act.
_YAMATO = {
    "伝票番号未登録": _P,
    "伝票番号誤り": _E,
    "出荷指示": _L,
    "荷物受付": _T,
    "荷受け": _T,
    "海外荷物受付": _T,
    "発送": _T,
    "発送済み": _T,
    "輸送中": _T,
    "通過": _T,
    "作業店通過": _T,
    "配送店到着": _T,
    "配達店到着": _T,
    "海外発送": _T,
    "国内到着": _T,
    "陸・海上切替え": _T,
    "通関完了": _T,
    "転送": _T,
    "配送中": _T,
    "配送予定": _T,
    "配達予定": _T,
    "投函予定": _T,
    "配達準備中": _T,
    "保管中": _T,
    "配達日・時間帯指定（保管中）": _T,
    "依頼受付（日・時間帯変更）": _T,
    "依頼受付（保管）": _T,
    "依頼受付（受取方法）": _T,
    "依頼受付（転送）": _T,
    "依頼受付（再配達）": _T,
    "依頼受付（店頭受取）": _T,
    "依頼受付（配達中止）": _E,
    "ご来店予定（保管中）": _O,
    "保管中（ご指定店）": _O,
    "宅配ボックスお届け準備": _O,
    "配達中": _O,
    "持戻": _E,
    "持戻（ご不在）": _E,
    "持戻（住所不明）": _E,
    "持戻（受取ご辞退）": _E,
    "持戻（休業）": _E,
    "持戻（ポスト投函不可）": _E,
    "持戻（転居）": _E,
    "ご不在（持戻保管中）": _E,
    "調査中": _E,
    "調査中（住所不明）": _E,
    "調査中（ご不在）": _E,
    "調査中（転居先不明）": _E,
    "調査中（受取ご辞退）": _E,
    "配達完了": _D,
    "配達完了（宅配ボックス）": _D,
    "配送完了": _D,
    "投函完了": _D,
    "お客様引渡完了": _D,
    "返品": _R,
    "返品完了": _R,
    "返品（持戻保管中）": _R,
}

_SAGAWA = {
    "伝票番号未登録": _P,
    "お荷物データが登録されておりません。": _P,
    "恐れ入りますが、お問い合せ送り状NOをお確かめください。": _E,
    "担当営業所にお問い合わせください。": _E,
    "営業所へお問い合わせください。": _E,
    "集荷": _T,
    "輸送中": _T,
    "保管中": _T,
    # Some parcels of the shipment are delivered, not all of them.
    "一部配達完了": _T,
    "配達中": _O,
    "コンビニ受取": _O,
    "営業所受取": _O,
    "ご不在": _E,
    "持戻り": _E,
    "お問合せ": _E,
    "配達完了": _D,
    "配達完了【宅配BOX】": _D,
}

_JAPAN_POST = {
    "引受": _T,
    "発送": _T,
    "通過": _T,
    "通過（車又は船輸送に変更）": _T,
    "到着": _T,
    "中継": _T,
    "転送": _T,
    "最寄局・最寄店送付": _T,
    "国際交換局から発送": _T,
    "国際交換局に到着": _T,
    "保税運送中": _T,
    "保税運送到着": _T,
    "通関手続中": _T,
    "輸入申告手続中": _T,
    "税関から受領": _T,
    "税関検査のため税関へ提示": _T,
    "通関完了": _T,
    "保管": _T,
    "保管中": _T,
    "保管期間延長受付": _T,
    "お届け先休日等のため保管": _T,
    "配達希望受付": _T,
    "持ち出し中": _O,
    "コンビニエンスストアに引渡": _O,
    "コンビニエンスストア等に引渡": _O,
    "私書箱保管": _O,
    "ご不在のため持ち戻り": _E,
    "調査中": _E,
    "税関保留": _E,
    "税関から名宛人に照会中": _E,
    "返送できません": _E,
    "お届け先にお届け済み": _D,
    "お届け済み": _D,
    "窓口でお渡し": _D,
    "差出人に返送": _R,
    "差出人に返送済み": _R,
}

_SEINO = {
    "入力されたお問合せ番号が見当りません": _P,
    "受付": _T,
    "発送": _T,
    "中継": _T,
    "持出": _O,
    "配達": _O,
    "持戻": _E,
    "配達済みです": _D,
}

# Read in order: "not registered yet" before the exception stems (Japan Post's "not found"
# message also says お問い合わせください), exceptions before deliveries (持戻, 配達中止
# contain delivery words), partial delivery before delivery.
_STEMS: tuple[tuple[str, TrackingStatus], ...] = (
    ("未登録", _P),
    ("登録されておりません", _P),
    ("見つかりません", _P),
    ("見当りません", _P),
    ("見当たりません", _P),
    ("誤り", _E),
    ("持戻", _E),
    ("持ち戻り", _E),
    ("不在", _E),
    ("調査中", _E),
    ("住所不明", _E),
    ("辞退", _E),
    ("配達中止", _E),
    ("税関保留", _E),
    ("お問い合わせください", _E),
    ("お問合せください", _E),
    ("返品", _R),
    ("差出人に返送", _R),
    ("一部配達", _T),
    ("配達完了", _D),
    ("配送完了", _D),
    ("投函完了", _D),
    ("引渡完了", _D),
    ("お届け済み", _D),
    ("配達済み", _D),
    ("お渡し", _D),
    ("配達中", _O),
    ("持ち出し中", _O),
    ("持出", _O),
    ("お届け準備", _O),
    ("出荷指示", _L),
    ("輸送中", _T),
    ("発送", _T),
    ("通過", _T),
    ("到着", _T),
    ("中継", _T),
    ("集荷", _T),
    ("引受", _T),
    ("受付", _T),
    ("保管", _T),
    ("通関", _T),
    ("転送", _T),
)

# Newer tracking pages put arrows before the word (Sagawa: "↓集荷", "⇒配達完了").
_DECORATION = "↓↑→⇒▼▽・*＊ "


def _normalise(word: str) -> str:
    # NFKC folds full-width brackets and letters, so "持戻(ご不在)" matches "持戻（ご不在）".
    folded = "".join(unicodedata.normalize("NFKC", word).split())
    return folded.lstrip(_DECORATION)


def _lookup(table: dict[str, TrackingStatus]) -> dict[str, TrackingStatus]:
    return {_normalise(word): status for word, status in table.items()}


_CARRIERS = {
    "yamato": _lookup(_YAMATO),
    "sagawa": _lookup(_SAGAWA),
    "japanpost": _lookup(_JAPAN_POST),
    "seino": _lookup(_SEINO),
}
_ALIASES = {
    "ヤマト運輸": "yamato",
    "ヤマト": "yamato",
    "佐川急便": "sagawa",
    "佐川": "sagawa",
    "日本郵便": "japanpost",
    "ゆうパック": "japanpost",
    "西濃運輸": "seino",
}


def normalise_japanese_status(carrier: str, word: str) -> TrackingStatus | None:
    """Our status for a Japanese carrier's status word; None when the word says nothing we know.

    ``carrier`` is yamato / ヤマト運輸, sagawa / 佐川急便, japanpost / 日本郵便 or seino / 西濃運輸.
    """
    table = _CARRIERS[_carrier_key(carrier)]
    text = _normalise(word)
    if not text:
        return None
    if text in table:
        return table[text]
    return next((status for stem, status in _STEMS if stem in text), None)


def _carrier_key(carrier: str) -> str:
    name = "".join(unicodedata.normalize("NFKC", carrier).split()).lower()
    name = name.replace("_", "").replace("-", "")
    key = _ALIASES.get(name, name)
    if key not in _CARRIERS:
        choices = ", ".join(sorted(_CARRIERS)) + ", " + ", ".join(_ALIASES)
        raise ValueError(f"unknown Japanese carrier {carrier!r}; choose one of: {choices}")
    return key
