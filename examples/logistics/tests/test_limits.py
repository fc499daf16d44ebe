"""Wave sizes and label timeouts."""

from __future__ import annotations

import pytest

from dispatch.limits import label_timeout, wave_size


def test_a_small_backlog_leaves_in_one_wave() -> None:
    assert wave_size(pending=7) == 7
    assert wave_size(pending=0) == 0


def test_a_wave_never_holds_more_than_the_loading_bay() -> None:
    assert wave_size(pending=500) == 40


def test_label_timeout_grows_with_the_batch_up_to_a_ceiling() -> None:
    assert label_timeout(items=1) < label_timeout(items=50)
    assert label_timeout(items=10_000) == pytest.approx(8.0)


def test_label_timeout_refuses_negative_batches() -> None:
    with pytest.raises(ValueError):
        label_timeout(items=-1)
