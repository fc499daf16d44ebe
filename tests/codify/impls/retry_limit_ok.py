"""Carrier calls: at most 3 attempts; connection errors and timeouts are retried,
a rejected request (ValueError) is not."""

import time

RETRY_ON = (ConnectionError, TimeoutError)


def call_with_retries(op):
    for attempt in range(1, 4):
        try:
            return op()
        except RETRY_ON:
            if attempt == 3:
                raise
            time.sleep(0.2 * 2 ** (attempt - 1))
    raise AssertionError("unreachable")
