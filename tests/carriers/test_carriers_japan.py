"""Japanese carriers' status words map onto ours."""

import pytest
import yaml

from carriers import TrackingStatus, normalise_japanese_status

WORDS = "rawhide_tracker__japanese_carrier_status_words_yamato_sagawa_japanpost_seino.yml"
# rawhide/tracker's names for the carriers, and the statuses each of its groups allows.
CARRIERS = {"yamato": "yamato", "sagawa": "sagawa", "yuusei": "japanpost", "seinou": "seino"}
ALLOWED = {
    ":noentry": {TrackingStatus.PENDING, TrackingStatus.EXCEPTION},
    ":entry": {
        TrackingStatus.LABEL_CREATED,
        TrackingStatus.IN_TRANSIT,
        TrackingStatus.OUT_FOR_DELIVERY,
        TrackingStatus.EXCEPTION,
        TrackingStatus.RETURNED_TO_SENDER,
    },
    ":reject": {TrackingStatus.EXCEPTION},
    ":complete": {
        TrackingStatus.DELIVERED,
        TrackingStatus.RETURNED_TO_SENDER,
        TrackingStatus.EXCEPTION,
    },
}


def test_every_word_of_the_collected_list_is_known_and_fits_its_group(shared_fixture):
    words = yaml.safe_load(shared_fixture(WORDS).read_text(encoding="utf-8"))
    assert set(words) == set(CARRIERS)
    misfits = []
    for their_name, table in words.items():
        for word, group in table.items():
            status = normalise_japanese_status(CARRIERS[their_name], word)
            if status not in ALLOWED[group]:
                misfits.append((their_name, word, group, status))
    assert misfits == []


@pytest.mark.parametrize(
    ("carrier", "word", "status"),
    [
        ("yamato", "出荷指示", TrackingStatus.LABEL_CREATED),
        ("yamato", "荷物受付", TrackingStatus.IN_TRANSIT),
        ("yamato", "発送済み", TrackingStatus.IN_TRANSIT),
        ("yamato", "輸送中", TrackingStatus.IN_TRANSIT),
        ("yamato", "配達中", TrackingStatus.OUT_FOR_DELIVERY),
        ("yamato", "持戻（ご不在）", TrackingStatus.EXCEPTION),
        ("yamato", "持戻(ご不在)", TrackingStatus.EXCEPTION),
        ("yamato", "配達完了", TrackingStatus.DELIVERED),
        ("yamato", "配達完了（宅配ボックス）", TrackingStatus.DELIVERED),
        ("yamato", "返品", TrackingStatus.RETURNED_TO_SENDER),
        ("yamato", "調査中", TrackingStatus.EXCEPTION),
        ("yamato", "依頼受付（配達中止）", TrackingStatus.EXCEPTION),
        ("sagawa", "集荷", TrackingStatus.IN_TRANSIT),
        ("sagawa", "↓集荷", TrackingStatus.IN_TRANSIT),
        ("sagawa", "⇒配達完了", TrackingStatus.DELIVERED),
        ("sagawa", "一部配達完了", TrackingStatus.IN_TRANSIT),
        ("sagawa", "配達完了【宅配BOX】", TrackingStatus.DELIVERED),
        ("sagawa", "ご不在", TrackingStatus.EXCEPTION),
        ("japanpost", "引受", TrackingStatus.IN_TRANSIT),
        ("japanpost", "ご不在のため持ち戻り", TrackingStatus.EXCEPTION),
        ("japanpost", "お届け先にお届け済み", TrackingStatus.DELIVERED),
        ("japanpost", "差出人に返送済み", TrackingStatus.RETURNED_TO_SENDER),
        ("seino", "配達済みです", TrackingStatus.DELIVERED),
    ],
)
def test_exact_words(carrier, word, status):
    assert normalise_japanese_status(carrier, word) is status


@pytest.mark.parametrize(
    ("carrier", "word", "status"),
    [
        ("yamato", "配達完了（郵便受け）", TrackingStatus.DELIVERED),
        ("japanpost", "お届け済み（宅配ボックス）", TrackingStatus.DELIVERED),
        ("japanpost", "＊＊ お問い合わせ番号が見つかりません。", TrackingStatus.PENDING),
        ("sagawa", "持戻り（休業）", TrackingStatus.EXCEPTION),
        ("sagawa", "配達中止のご依頼", TrackingStatus.EXCEPTION),
        ("yamato", "返品（保管中）", TrackingStatus.RETURNED_TO_SENDER),
        ("yamato", "ベース店到着", TrackingStatus.IN_TRANSIT),
        ("japanpost", "持ち出し中（午前）", TrackingStatus.OUT_FOR_DELIVERY),
    ],
)
def test_unseen_words_are_read_by_their_stems(carrier, word, status):
    assert normalise_japanese_status(carrier, word) is status


@pytest.mark.parametrize("word", ["", "   ", "お知らせ", "unknown"])
def test_words_that_say_nothing_known_give_none(word):
    assert normalise_japanese_status("yamato", word) is None


@pytest.mark.parametrize(
    "name",
    ["yamato", "Yamato", "ヤマト運輸", "sagawa", "佐川急便", "japanpost", "Japan Post", "日本郵便"],
)
def test_carrier_names_in_english_and_japanese(name):
    assert normalise_japanese_status(name, "配達完了") is TrackingStatus.DELIVERED


def test_unknown_carrier_names_the_choices():
    with pytest.raises(ValueError, match="unknown Japanese carrier 'fukutsu'; choose one of: "):
        normalise_japanese_status("fukutsu", "配達完了")
