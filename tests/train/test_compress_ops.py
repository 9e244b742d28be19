"""The compression study's model surgery on small random CRNNs: widening keeps the function,
pruning removes real channels, the low-rank head is the SVD, magnitude pruning zeroes weights."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("torch_pruning")

from dataclasses import replace  # noqa: E402

from ocr_train.crnn import Crnn, CrnnConfig  # noqa: E402
from ocr_train.prune import count_params, lowrank_head, magnitude_prune, prune_channels  # noqa: E402
from ocr_train.widen import widen  # noqa: E402

SMALL = CrnnConfig(num_classes=40, channels=(8, 16, 16, 24, 24, 32), feature=32, hidden=16)


def _model(cfg: CrnnConfig = SMALL, seed: int = 0) -> Crnn:
    torch.manual_seed(seed)
    model = Crnn(cfg).eval()
    with torch.no_grad():  # non-trivial BatchNorm statistics, as in a trained model
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.2, 1.5)
    return model


X = torch.randn(2, 1, 32, 48, generator=torch.Generator().manual_seed(1))


def test_widen_preserves_the_function_and_grows_every_layer():
    model = _model()
    target = replace(SMALL, channels=(16, 32, 32, 48, 48, 64), feature=48, hidden=24)
    wide = widen(model, target, noise=0.0)
    with torch.no_grad():
        torch.testing.assert_close(wide(X), model(X), atol=1e-4, rtol=1e-4)
    assert count_params(wide) > 2 * count_params(model)
    assert wide.rnn.hidden_size == 24 and wide.head.in_features == 48
    noisy = widen(model, target, noise=0.01)
    with torch.no_grad():
        assert not torch.equal(noisy(X), wide(X))  # the copies can drift apart


def test_widen_refuses_to_shrink():
    with pytest.raises(ValueError):
        widen(_model(), replace(SMALL, hidden=8))


def test_prune_channels_removes_channels_and_keeps_the_interface():
    model = _model()
    pruned = prune_channels(model, 0.5, round_to=4)
    assert all(p < c for p, c in zip(pruned.cfg.channels, SMALL.channels, strict=True))
    assert pruned.cfg.feature == SMALL.feature and pruned.cfg.hidden == SMALL.hidden
    assert count_params(pruned) < count_params(model)
    with torch.no_grad():
        out = pruned(X)
    assert out.shape == model(X).shape
    # the pruned model is an ordinary, reloadable CRNN of its config
    again = Crnn(pruned.cfg)
    again.load_state_dict(pruned.state_dict())


def test_prune_keeps_the_channels_batchnorm_ranks_highest():
    model = _model()
    first_bn = model.cnn[0][1]
    with torch.no_grad():
        first_bn.weight.copy_(torch.linspace(0.1, 1.0, 8))
    pruned = prune_channels(model, 0.5, round_to=4)
    kept = pruned.cnn[0][1].weight.detach()
    torch.testing.assert_close(kept.sort().values, torch.linspace(0.1, 1.0, 8)[4:])


def test_lowrank_head_is_exact_at_full_rank_and_smaller_below():
    model = _model()
    full = lowrank_head(model, 2 * SMALL.hidden)
    with torch.no_grad():
        torch.testing.assert_close(full(X), model(X), atol=1e-4, rtol=1e-4)
    small = lowrank_head(model, 4)
    assert small.cfg.head_rank == 4 and count_params(small) < count_params(model)
    again = Crnn(small.cfg)
    again.load_state_dict(small.state_dict())
    with pytest.raises(ValueError):
        lowrank_head(small, 2)


def test_magnitude_prune_zeroes_the_smallest_weights_only():
    model = _model()
    sparse = magnitude_prune(model, 0.5)
    assert count_params(sparse) == count_params(model)
    assert count_params(sparse, nonzero=True) < 0.6 * count_params(model)
    w, w0 = sparse.head.weight, model.head.weight
    kept = w != 0
    torch.testing.assert_close(w[kept], w0[kept])
    assert w0[~kept].abs().max() <= w0[kept].abs().min()


def test_mbv3_backbone_gives_one_frame_per_four_columns():
    cfg = replace(SMALL, backbone="mbv3", channels=(8, 0, 0, 0, 0, 0), head_rank=8)
    model = Crnn(cfg).eval()
    with torch.no_grad():
        out = model(X)
    assert out.shape == (2, 48 // 4, SMALL.num_classes)
    assert model.features(X).shape == (2, 12, SMALL.feature)
