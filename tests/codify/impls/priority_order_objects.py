"""Correct, for items that hold the key as an attribute (item=object)."""


def next_batch(items: list) -> list:
    return sorted(items, key=lambda item: item.priority, reverse=True)
