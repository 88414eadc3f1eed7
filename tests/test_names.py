"""Search keys: a Chinese name, its pinyin with or without tone marks and spaces, one key."""

import pytest

from framework.names import search_key, search_keys, spelled, strip_tones


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("震坤行", "zhenkunxing"),
        ("震坤行工业超市（上海）有限公司", "zhenkunxinggongyechaoshishanghaiyouxiangongsi"),
        ("Zhènkūnxíng", "zhenkunxing"),
        ("zhen kun xing", "zhenkunxing"),
        ("Zhèn-Kūn Xíng", "zhenkunxing"),
        ("陶氏", "taoshi"),
        ("Dow 陶氏", "dowtaoshi"),
        ("Lǜ", "lu"),
        ("", ""),
        ("（）", ""),
    ],
)
def test_search_key(text, key):
    assert search_key(text) == key


def test_search_keys_are_distinct_and_skip_empty_names():
    assert search_keys("震坤行", "", "Zhènkūnxíng", "ZKH") == "zhenkunxing zkh"


def test_spelled_keeps_tone_marks():
    assert spelled("青浦区") == "qīngpǔqū"
    assert strip_tones("Mǐnháng Qū") == "Minhang Qu"
