from hypothesis import given
from hypothesis import strategies as st

from search.text.normalize import normalize


def test_full_width_becomes_half_width():
    assert normalize("ＳＫ－ＩＩ神仙水２３０ｍｌ") == "sk-ii神仙水230ml"


def test_traditional_becomes_simplified():
    assert normalize("蘭芝隔離霜") == "兰芝隔离霜"
    assert normalize("華為手機") == "华为手机"


def test_units_are_unified_after_numbers():
    assert normalize("50 ML") == "50ml"
    assert normalize("50毫升 2公斤 3千克 500克 1.5升") == "50ml 2kg 3kg 500g 1.5l"


def test_unit_words_inside_longer_words_are_left_alone():
    assert normalize("3克拉钻戒") == "3克拉钻戒"
    assert normalize("5升级版") == "5升级版"
    assert normalize("微克") == "微克"


def test_control_and_zero_width_characters_are_dropped_and_spaces_collapse():
    assert normalize("兰芝\u200b隔离\t霜\x00  30ml\n") == "兰芝隔离 霜 30ml"


def test_case_is_folded():
    assert normalize("LANEIGE Water Bank") == "laneige water bank"


def test_idempotent_on_examples():
    for text in ["ＳＫ－ＩＩ 神仙水", "蘭芝隔離霜 50 ML", "iPhone 15 Pro Max"]:
        once = normalize(text)
        assert normalize(once) == once


@given(st.text(max_size=300))
def test_never_raises_and_is_idempotent(text):
    out = normalize(text)
    assert isinstance(out, str)
    assert out == out.strip()
    assert "  " not in out
    assert normalize(out) == out


def test_rejects_non_strings():
    import pytest

    with pytest.raises(TypeError):
        normalize(None)  # type: ignore[arg-type]
