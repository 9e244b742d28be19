"""A checkpoint copied without its optimizer state keeps everything else."""

from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch")


def test_strip_optimizer_drops_the_adamw_moments_and_keeps_the_weights(tmp_path: Path) -> None:
    from ocr_train.weights import main, strip_optimizer

    net = torch.nn.Linear(4, 2)
    opt = torch.optim.AdamW(net.parameters())
    net(torch.ones(1, 4)).sum().backward()
    opt.step()
    src = tmp_path / "best.pt"
    torch.save({"model": net.state_dict(), "optimizer": opt.state_dict(), "config": {"k": 1}}, src)
    strip_optimizer(src, tmp_path / "weights.pt")
    out = torch.load(tmp_path / "weights.pt", weights_only=False)
    assert sorted(out) == ["config", "model"]
    assert torch.equal(out["model"]["weight"], net.state_dict()["weight"])
    # the command line takes pairs and skips a missing source (a run killed before its first save)
    main([str(src), str(tmp_path / "a.pt"), str(tmp_path / "missing.pt"), str(tmp_path / "b.pt")])
    assert (tmp_path / "a.pt").exists() and not (tmp_path / "b.pt").exists()
