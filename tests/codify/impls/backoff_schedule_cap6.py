"""Broken: the cap is 6 s instead of 5 s."""


def backoff_delay(attempt: int) -> float:
    return min(0.2 * 2 ** (attempt - 1), 6.0)
