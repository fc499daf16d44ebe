"""At most 5 requests in any 1-second window (a sliding log)."""

from collections import deque


class Limiter:
    def __init__(self, limit: int = 5, window: float = 1.0) -> None:
        self.limit, self.window = limit, window
        self.allowed: deque[float] = deque()

    def allow(self, now: float) -> bool:
        while self.allowed and self.allowed[0] <= now - self.window:
            self.allowed.popleft()
        if len(self.allowed) < self.limit:
            self.allowed.append(now)
            return True
        return False


def make_limiter() -> Limiter:
    return Limiter()
