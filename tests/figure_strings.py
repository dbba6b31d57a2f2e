"""The text a figure carries, for the tests that check it is escaped."""

from __future__ import annotations


def strings(node, path=""):
    """Every string in a figure dict (outside the template), with where it is."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key != "template":
                yield from strings(value, f"{path}.{key}")
    elif isinstance(node, list | tuple):
        for i, value in enumerate(node):
            yield from strings(value, f"{path}[{i}]")
    elif isinstance(node, str):
        yield path, node
