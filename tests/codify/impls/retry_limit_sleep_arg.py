"""Correct, but it takes its sleep function as an argument (no default): a test that does
not pass one fails with a TypeError, so this checks that `sleep_arg` reaches the call."""

RETRY_ON = (ConnectionError, TimeoutError)


def call_with_retries(op, *, sleep):
    for attempt in range(1, 4):
        try:
            return op()
        except RETRY_ON:
            if attempt == 3:
                raise
            sleep(0.2 * 2 ** (attempt - 1))
    raise AssertionError("unreachable")
