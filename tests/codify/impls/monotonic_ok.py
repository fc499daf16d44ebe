"""A surcharge that grows with the load."""


def surcharge(load: float) -> float:
    return 1.0 + 0.02 * load
