"""Broken: tripling instead of doubling (still capped at 5 s, still growing)."""


def backoff_delay(attempt: int) -> float:
    return min(0.2 * 3 ** (attempt - 1), 5.0)
