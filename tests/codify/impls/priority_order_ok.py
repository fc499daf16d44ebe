"""During a demand spike, urgent orders go first."""


def next_batch(items: list) -> list:
    return sorted(items, key=lambda item: item["priority"], reverse=True)
