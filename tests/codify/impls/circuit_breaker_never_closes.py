"""Broken: once open it never lets a call through again."""


class CircuitOpen(Exception):
    pass


class Breaker:
    def __init__(self, clock) -> None:
        self.clock, self.failures, self.open = clock, 0, False

    def call(self, op):
        if self.open:
            raise CircuitOpen("open")
        try:
            result = op()
        except Exception:
            self.failures += 1
            self.open = self.failures >= 3
            raise
        self.failures = 0
        return result


def make_breaker(clock) -> Breaker:
    return Breaker(clock)
