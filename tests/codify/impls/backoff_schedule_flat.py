"""Broken: the backoff does not grow."""


def backoff_delay(attempt: int) -> float:
    return 0.2
