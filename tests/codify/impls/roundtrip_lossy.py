"""Broken: strips whitespace on the way out."""


def encode(text: str) -> bytes:
    return text.strip().encode("utf-8", "surrogatepass")


def decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogatepass")
