"""What a process keeps of what it computed, bounded: a dict forgotten all at once past a number of entries, so that
it grows neither with the data nor with the ranges asked. For values that depend only on their key, or whose key
holds a mark of what they were computed from that the caller compares before using them."""

from __future__ import annotations


class Kept(dict):
    def __init__(self, most: int):
        super().__init__()
        self.most = most

    def keep(self, key, value):
        """value, kept under key (everything kept forgotten first when `most` entries are held)."""
        if key not in self and len(self) >= self.most:
            self.clear()
        self[key] = value
        return value
