import json

import pytest
from ocr_core.charset import Charset, normalize_text

from tests.conftest import MODEL, REPO


def test_encode_decode_round_trip():
    cs = Charset(list("ab中文 "))
    assert cs.num_classes == 6
    ids = cs.encode("中a b")
    assert ids == [3, 1, 5, 2]
    assert cs.decode_ids(ids) == "中a b"


def test_json_round_trip_and_validation():
    cs = Charset(list("xyz，"))
    assert Charset.from_json(cs.to_json()).chars == cs.chars
    with pytest.raises(ValueError):
        Charset(list("aa"))
    with pytest.raises(KeyError):
        cs.encode("q")


def test_shipped_charset_covers_requirements():
    chars = json.loads((REPO / "model" / "charset.json").read_text(encoding="utf-8"))
    cs = Charset(chars)
    assert len(cs) >= 6763
    assert cs.covers("".join(chr(c) for c in range(0x20, 0x7F)))
    assert cs.covers("，。：；！？（）【】《》“”")
    assert cs.covers("中华人民共和国龘") or cs.covers("中华人民共和国")


def test_model_metadata_carries_the_same_charset():
    import onnxruntime as ort

    meta = (
        ort.InferenceSession(str(MODEL), providers=["CPUExecutionProvider"])
        .get_modelmeta()
        .custom_metadata_map
    )
    assert json.loads(meta["charset"]) == json.loads(
        (REPO / "model" / "charset.json").read_text(encoding="utf-8")
    )
    assert meta["input_height"] == "32"


def test_normalize_text():
    assert normalize_text("ＡＢ，  c ") == "AB, c"
    assert normalize_text("大桶装 更划算", strip_spaces=True) == "大桶装更划算"


def test_typographic_quotes_fold_to_ascii_only_when_asked():
    from ocr_core.evaluate import NORMS, Item, line_recall

    printed = "\u201cI\u2019ve never forgotten,\u201d she said \u2018twice\u2019"
    assert normalize_text(printed, fold_quotes=True) == "\"I've never forgotten,\" she said 'twice'"
    assert normalize_text(printed) == printed  # NFKC keeps them
    # an ASCII-quoted label matches a faithful reading of curly print only under "quotes"
    items = [Item("p", ['"It\'s nothing." How could she ex-'], "en", "document")]
    preds = {"p": ["\u201cIt\u2019s nothing.\u201d How could she ex-"]}
    assert line_recall(items, preds, NORMS["nfkc"]) == 0.0
    assert line_recall(items, preds, NORMS["quotes"]) == 1.0
