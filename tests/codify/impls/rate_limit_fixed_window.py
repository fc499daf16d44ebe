"""Broken: counts per calendar second, so 10 requests fit across a boundary."""


class Limiter:
    def __init__(self) -> None:
        self.bucket, self.count = None, 0

    def allow(self, now: float) -> bool:
        bucket = int(now // 1.0)
        if bucket != self.bucket:
            self.bucket, self.count = bucket, 0
        if self.count < 5:
            self.count += 1
            return True
        return False


def make_limiter() -> Limiter:
    return Limiter()
