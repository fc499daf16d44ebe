"""Broken: a rejected request (ValueError) is retried too."""

from time import sleep


def call_with_retries(op):
    for attempt in range(1, 4):
        try:
            return op()
        except Exception:
            if attempt == 3:
                raise
            sleep(0.2)
    raise AssertionError("unreachable")
