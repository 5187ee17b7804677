"""The simulator's state: the mailbox, its users and conversations, notes posted through the API, faults.

In memory behind one lock (the simulator serves on threads); what tests assert on (`notes()`) reads it directly.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from dataclasses import dataclass, field


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Thread:
    id: int
    type: str  # "customer" (the customer's message) or "note" (private note)
    body: str  # HTML for notes (as posted), text for customer messages
    by: str
    created_at: str = field(default_factory=_now)
    user: int | None = None  # the user a note was written as (FreeScout's `user`)


@dataclass
class Conversation:
    id: int
    number: int
    subject: str
    customer: dict  # {"id", "fname", "lname", "email", "emails"}
    threads: list[Thread] = field(default_factory=list)


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.mailbox = {"id": 5, "name": "Support", "email": "help@example.com"}
        self.users: dict[int, dict] = {}
        self.conversations: dict[int, Conversation] = {}
        self.tokens: set[str] = set()
        self.note_faults: list[int] = []  # statuses to answer the next note posts with, then normal service
        self.note_posts = 0  # every note POST that reached us, faulted or not
        self._ids = itertools.count(1001)

    def next_id(self) -> int:
        return next(self._ids)

    def take_fault(self) -> int | None:
        with self.lock:
            self.note_posts += 1
            return self.note_faults.pop(0) if self.note_faults else None
