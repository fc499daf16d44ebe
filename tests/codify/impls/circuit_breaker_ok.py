"""Open after 3 consecutive failures; stay open 30 s; then let one trial call through."""


class CircuitOpen(Exception):
    pass


class Breaker:
    def __init__(self, clock, threshold: int = 3, reset_timeout: float = 30.0) -> None:
        self.clock, self.threshold, self.reset_timeout = clock, threshold, reset_timeout
        self.failures = 0
        self.opened_at = None

    def call(self, op):
        if self.opened_at is not None:
            if self.clock() - self.opened_at < self.reset_timeout:
                raise CircuitOpen("open")
            self.opened_at = None
            self.failures = self.threshold - 1  # half-open: one failure re-opens
        try:
            result = op()
        except Exception:
            self.failures += 1
            if self.failures >= self.threshold:
                self.opened_at, self.failures = self.clock(), 0
            raise
        self.failures = 0
        return result


def make_breaker(clock) -> Breaker:
    return Breaker(clock)
