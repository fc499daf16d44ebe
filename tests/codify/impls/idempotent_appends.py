"""Broken: appends a country code every time."""


def normalise(text: str) -> str:
    return " ".join(text.split()).upper() + " DE"
