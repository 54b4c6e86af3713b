"""Shipped word lists (given names, surnames, nicknames, stop words)."""
