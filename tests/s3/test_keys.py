import pytest
from ocr_s3.keys import Prefixes


def test_result_keys_stay_under_the_output_prefix():
    p = Prefixes("uploads/", "results/")
    assert p.result_key("uploads/a/b c.png", ".json") == "results/a/b c.png.json"
    assert p.result_key("uploads/../x.png", ".txt") == "results/x.png.txt"
    assert p.result_key("uploads/a\x00b.png", ".json") == "results/a_b.png.json"


def test_output_inside_input_is_refused():
    with pytest.raises(ValueError):
        Prefixes("uploads/", "uploads/results/")
    assert not Prefixes().accepts("uploads/folder/")
