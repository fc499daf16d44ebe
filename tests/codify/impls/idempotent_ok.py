"""Normalise an address line: single spaces, upper case."""


def normalise(text: str) -> str:
    return " ".join(text.split()).upper()
