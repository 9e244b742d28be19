"""The shipped INT8 model: size budget, self-description, session settings."""

from ocr_core.recognizer import Recognizer

from tests.conftest import MODEL


def test_size_budget_and_metadata():
    assert MODEL.stat().st_size <= 5 * 1024 * 1024
    rec = Recognizer(MODEL)
    assert len(rec.charset) >= 6763
    assert rec.spec.height == 32
    assert "int8" in rec.info.name


def test_empty_batch_is_guarded():
    assert Recognizer(MODEL).recognize([]) == []


def test_checksum_is_verified_at_load():
    import hashlib

    import pytest
    from ocr_core.errors import ModelError

    digest = hashlib.sha256(MODEL.read_bytes()).hexdigest()
    assert Recognizer(MODEL, expected_sha256=digest).info.version == digest[:12]
    with pytest.raises(ModelError):
        Recognizer(MODEL, expected_sha256="0" * 64)
