"""Two price quotes that agree: the old one and its rewrite."""


def quote(weight: int) -> int:
    if weight > 900:
        raise ValueError("too heavy")
    return 500 + 3 * weight


def quote_reference(weight: int) -> int:
    if weight > 900:
        raise ValueError("too heavy")
    return 500 + sum(3 for _ in range(weight))
