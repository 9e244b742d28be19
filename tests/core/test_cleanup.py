"""Cleanup after decoding: spaces the page never typed go, spaces between words stay."""

import pytest
from ocr_core.cleanup import clean_text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  two   spaces \t and ends  ", "two spaces and ends"),
        ("降价400元 ， 还送杀毒软件 ， 可惜了。", "降价400元，还送杀毒软件，可惜了。"),
        ("【主要功能】: 可紧致头发", "【主要功能】: 可紧致头发"),  # an ASCII colon keeps its space
        ("【主要功能】： 可紧致头发", "【主要功能】：可紧致头发"),
        ("（45元/每公斤， 100公斤起订）", "（45元/每公斤，100公斤起订）"),
        ("书名 《 围城 》 很好", "书名《围城》很好"),
        ("He said, “yes” . OK", "He said, “yes” . OK"),  # ASCII and typographic quotes: untouched
        ("二 〇 一三年", "二 〇 一三年"),  # 〇 is written like a character, not punctuation
        ("rapid_layout 项目 2013年 07月", "rapid_layout 项目 2013年 07月"),  # Han-Latin spaces stay
        ("大桶装 更划算", "大桶装 更划算"),
        ("", ""),
        ("　，　", "，"),  # ideographic spaces are whitespace
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean
