"""Broken: the surcharge drops above 80 % load."""


def surcharge(load: float) -> float:
    return 1.0 + 0.02 * load if load <= 80 else 1.5
