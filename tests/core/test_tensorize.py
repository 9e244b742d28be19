import numpy as np
import pytest
from ocr_core.tensorize import InputSpec, resize_line, to_batch


def test_resize_keeps_aspect_and_stride():
    spec = InputSpec()
    out = resize_line(np.zeros((64, 301), np.uint8), spec)
    assert out.shape[0] == 32
    assert out.shape[1] % spec.stride == 0
    assert abs(out.shape[1] - 150) <= spec.stride


def test_batch_pads_with_white_and_reports_frames():
    spec = InputSpec()
    x, frames = to_batch([np.zeros((32, 40), np.uint8), np.full((16, 100), 255, np.uint8)], spec)
    assert x.shape == (2, 1, 32, 200)
    assert frames.tolist() == [10, 50]
    assert x[0, 0, 0, 0] == pytest.approx(-1.0)  # black ink
    assert x[0, 0, 0, -1] == pytest.approx(1.0)  # padding = white


def test_metadata_round_trip():
    spec = InputSpec()
    assert InputSpec.from_metadata(spec.to_metadata()) == spec


def test_rejects_empty_crop():
    with pytest.raises(ValueError):
        resize_line(np.zeros((0, 5), np.uint8), InputSpec())
