"""The simulator's state: agents, contacts, tickets, their conversation and notes, faults. In memory behind one
lock (the simulator serves on threads); tests read it directly (`notes()`)."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from dataclasses import dataclass, field


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Note:
    id: int
    ticket_id: int
    body: str  # HTML as posted
    private: bool
    user_id: int | None
    created_at: str = field(default_factory=now_iso)

    def as_api(self) -> dict:
        """Freshdesk API v2's conversation object for a note."""
        return {"id": self.id, "body": self.body, "body_text": self.body, "incoming": False, "private": self.private,
                "user_id": self.user_id, "support_email": None, "ticket_id": self.ticket_id, "to_emails": [],
                "attachments": [], "created_at": self.created_at, "updated_at": self.created_at}


@dataclass
class Ticket:
    id: int
    subject: str
    description: str
    requester: dict  # the contact: {"id", "name", "email", "other_emails", "language"}
    status: int = 2  # open
    priority: int = 1  # low
    notes: list[Note] = field(default_factory=list)
    created_at: str = field(default_factory=now_iso)


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.agents: dict[int, dict] = {}
        self.tickets: dict[int, Ticket] = {}
        self.note_faults: list[int] = []  # statuses to answer the next note posts with, then normal service
        self.note_posts = 0  # every note POST that reached us, faulted or not
        self.proxied: list[dict] = []  # what the request proxy sent (method, url, headers), for tests
        self._ids = itertools.count(1001)

    def next_id(self) -> int:
        return next(self._ids)

    def take_fault(self) -> int | None:
        with self.lock:
            self.note_posts += 1
            return self.note_faults.pop(0) if self.note_faults else None
