"""Broken: the rewrite rounds odd weights down before pricing."""


def quote(weight: int) -> int:
    if weight > 900:
        raise ValueError("too heavy")
    return 500 + 3 * (weight // 2 * 2)


def quote_reference(weight: int) -> int:
    if weight > 900:
        raise ValueError("too heavy")
    return 500 + 3 * weight
