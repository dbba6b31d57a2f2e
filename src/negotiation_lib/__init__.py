"""Negotiation gap explorer: load, validate and compare negotiation positions as data."""

__version__ = "0.1.0"
