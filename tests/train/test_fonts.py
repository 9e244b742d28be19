"""The font list: every face is installed by `make fonts`, draws what a Latin line needs, and the
held-out faces share no family with the training faces (else "held out" measures nothing)."""

from __future__ import annotations

import string

import pytest
from ocr_train.fonts import FONTS, SYSTEM, FontSpec


def family(spec: FontSpec) -> str:
    """The family a face belongs to: its name up to a style suffix ("eb-garamond-italic" -> "eb-garamond")."""
    name = spec.name
    for suffix in ("-italic", "-bold", "-cond", "-mono", "-narrow", "-sc"):
        name = name.removesuffix(suffix)
    return name


def test_names_are_unique() -> None:
    names = [spec.name for spec in FONTS]
    assert len(names) == len(set(names))


def test_held_out_families_are_never_trained_on() -> None:
    train = {family(s) for s in FONTS if s.role == "train"}
    val = {family(s) for s in FONTS if s.role == "val"}
    assert val, "no held-out faces"
    assert not train & val


@pytest.mark.parametrize("spec", FONTS, ids=lambda s: s.name)
def test_every_face_is_installed_and_draws_its_script(spec: FontSpec) -> None:
    from fontTools.ttLib import TTFont

    path = SYSTEM / spec.path
    assert path.exists(), f"{spec.name}: {path} missing (is its Debian package in `make fonts`?)"
    cmap = TTFont(str(path), fontNumber=spec.index, lazy=True).getBestCmap()
    # a CJK face may have no Latin at all (Droid Sans Fallback): it then draws only Chinese lines
    needed = (
        "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可"
        if spec.cjk
        else string.ascii_letters + string.digits + ".,;:'\"!?()-"
    )
    missing = [c for c in needed if ord(c) not in cmap]
    assert not missing, f"{spec.name} lacks {missing}"
