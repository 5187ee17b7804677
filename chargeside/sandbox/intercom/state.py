"""The simulator's state: the workspace's admins, contacts and conversations, notes posted through the REST
API, the canvas each admin sees per conversation, and note faults. In memory behind one lock."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Part:
    id: str
    part_type: str  # "comment" (the contact's message) or "note" (private note)
    body: str  # HTML for notes (as posted), text for the contact's messages
    author: dict  # {"type": "admin"|"user", "id": ..., "name": ...}
    created_at: int = field(default_factory=lambda: int(time.time()))


@dataclass
class Conversation:
    id: str
    title: str
    contact: dict  # {"id", "type": "contact", "role", "email", "name", "external_id"}
    parts: list[Part] = field(default_factory=list)


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.admins: dict[str, dict] = {}
        self.conversations: dict[str, Conversation] = {}
        self.canvases: dict[tuple[str, str], dict] = {}  # (conversation id, admin id) → the canvas shown
        self.note_faults: list[int] = []
        self.note_posts = 0
        self.note_versions: list[str] = []  # the Intercom-Version header of every note post
        self.submits: list[dict] = []  # every submit body we sent the app (tests read them)
        self._ids = itertools.count(2001)

    def next_id(self) -> str:
        return str(next(self._ids))

    def take_fault(self, version: str = "") -> int | None:
        with self.lock:
            self.note_posts += 1
            self.note_versions.append(version)
            return self.note_faults.pop(0) if self.note_faults else None
