from __future__ import annotations

from collections.abc import Iterator

import pytest

from weerbaar.contrib.webpush import sender


@pytest.fixture(autouse=True)
def _fresh_fake_sender() -> Iterator[None]:
    sender.fake_pushes.clear()
    sender.fake_answers.clear()
    yield
    sender.fake_pushes.clear()
    sender.fake_answers.clear()
