"""The prose that tunes the beam decoder, and the LM's own running text, kept apart."""

from ocr_train.realtext import english_sentences, peoples_daily_sentences, real_text_set, review_sentences


def test_sources_are_real_prose_and_disjoint():
    news, reviews, english = peoples_daily_sentences(), review_sentences(), english_sentences()
    assert len(news) > 40_000 and len(reviews) > 10_000 and len(english) > 1_000
    assert not any("/" in s.split("，")[0][-3:] for s in news[:200])  # part-of-speech tags stripped
    assert "１" not in "".join(news[:2000])  # full-width digits folded
    assert not set(news[:5000]) & set(reviews)  # the LM's text never tunes it


def test_real_text_set_renders_both_languages_in_held_out_fonts(tiny_assets):
    root, charset = tiny_assets
    # given a charset so small that few real sentences fit, the set still fills from both pools
    lines = real_text_set(charset, root / "fonts", 6, seed=3)
    kinds = [kind for _, _, kind in lines]
    assert kinds == ["zh_text", "en_text"] * 3
    for crop, text, _ in lines:
        assert crop.ndim == 2 and crop.shape[0] > 0 and charset.covers(text) and text == text.strip()
