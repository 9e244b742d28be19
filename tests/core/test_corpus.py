"""The generated bad-input corpus through the engine: each case gets its specific answer."""

import pytest
from ocr_core.errors import OcrError
from ocr_local.corpus import cases

from tests.conftest import ZH_FONT, render_lines

CASES = cases(render_lines(["语料测试 corpus 123"], ZH_FONT, size=32))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_input_gets_its_answer(engine, case):
    if case.expect == "ok":
        result = engine.read(case.data)
        assert result.width > 0 and result.height > 0
    else:
        with pytest.raises(OcrError) as info:
            engine.read(case.data)
        assert info.value.code == case.expect
        assert str(info.value)  # a message a person can act on
