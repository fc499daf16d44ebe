"""Hand-written checks of rules whose generated property test cannot pin their values.

review.yaml links each test here to its finding (``link:``), and ``dna regen --prove``
proves it like a generated test: it changes the rule's values where they live
(``binding.sites``) and the target's code, and expects a test here to fail.

- F-0003: the generated ``bounded`` test checks that the label timeout stays within 2 s and
  8 s; it would pass with 100 ms or 25 ms per parcel. The check below pins the formula:
  2 s plus 50 ms per parcel, capped at 8 s.
- F-0008: the generated ``priority_order`` test checks the order of the queue through
  ``spike_order``, which never reads the 80 % threshold. The checks below plan real waves
  just under, at, and just over 80 % load, through ``plan_wave``, which does.
"""

from __future__ import annotations

import pytest

from dispatch.limits import label_timeout
from dispatch.orders import Order
from dispatch.priority import in_spike, plan_wave

# -- F-0003: the label request timeout ---------------------------------------------------

@pytest.mark.parametrize(("items", "seconds"), [
    (0, 2.0),      # the fixed part alone
    (1, 2.05),     # one parcel adds 50 ms
    (10, 2.5),
    (100, 7.0),
    (119, 7.95),   # the last batch under the ceiling
    (120, 8.0),    # 2 s + 120 x 50 ms reaches it
    (121, 8.0),    # and never goes past it
    (1000, 8.0),
])
def test_label_timeout_is_2s_plus_50ms_per_parcel_capped_at_8s(items: int,
                                                               seconds: float) -> None:
    assert label_timeout(items) == pytest.approx(seconds)


def test_label_timeout_gives_up_before_the_gateways_10s_cut_off() -> None:
    assert max(label_timeout(n) for n in range(0, 2001, 7)) < 10.0


# -- F-0008: the demand spike ------------------------------------------------------------

def _queue() -> list[Order]:
    """Four orders in arrival order; the second and the fourth cannot wait."""
    return [Order("standard-1", 1.0), Order("express-2", 2.0, service="express"),
            Order("standard-3", 3.0), Order("chilled-4", 4.0, perishable=True)]


@pytest.mark.parametrize("load", [0.0, 0.5, 0.79, 0.80])
def test_up_to_80_percent_load_waves_keep_arrival_order(load: float) -> None:
    assert not in_spike(load)
    assert [o.id for o in plan_wave(_queue(), load=load)] == \
        ["standard-1", "express-2", "standard-3", "chilled-4"]


@pytest.mark.parametrize("load", [0.81, 0.95, 1.2])
def test_above_80_percent_load_express_and_perishable_go_first(load: float) -> None:
    assert in_spike(load)
    ids = [o.id for o in plan_wave(_queue(), load=load)]
    assert ids[:2] in (["express-2", "chilled-4"], ["chilled-4", "express-2"])
    assert ids[2:] == ["standard-1", "standard-3"]  # the others keep their arrival order
