"""Broken: four attempts instead of three."""

import time

RETRY_ON = (ConnectionError, TimeoutError)


def call_with_retries(op):
    for attempt in range(1, 5):
        try:
            return op()
        except RETRY_ON:
            if attempt == 4:
                raise
            time.sleep(0.2)
    raise AssertionError("unreachable")
