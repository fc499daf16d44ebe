"""Broken: the 90-minute ceiling is missing."""


def eta_minutes(distance_km: int) -> int:
    return 10 + distance_km // 5
