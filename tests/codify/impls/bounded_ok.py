"""An ETA in minutes, never above 90."""


def eta_minutes(distance_km: int) -> int:
    return min(10 + distance_km // 5, 90)
