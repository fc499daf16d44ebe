"""Broken: when every attempt fails it returns None instead of raising."""

import time


def call_with_retries(op):
    for _ in range(3):
        try:
            return op()
        except (ConnectionError, TimeoutError):
            time.sleep(0.2)
    return None
