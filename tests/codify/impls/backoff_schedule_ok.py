"""Carrier retry delays: from 0.2 s, doubling, capped at 5 s."""


def backoff_delay(attempt: int) -> float:
    return min(0.2 * 2 ** (attempt - 1), 5.0)
