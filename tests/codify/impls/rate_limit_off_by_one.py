"""Broken: lets a sixth request through."""

from collections import deque


class Limiter:
    def __init__(self) -> None:
        self.allowed: deque[float] = deque()

    def allow(self, now: float) -> bool:
        while self.allowed and self.allowed[0] <= now - 1.0:
            self.allowed.popleft()
        if len(self.allowed) <= 5:
            self.allowed.append(now)
            return True
        return False


def make_limiter() -> Limiter:
    return Limiter()
