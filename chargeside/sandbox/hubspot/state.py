"""The simulator's state: the portal's users and records, notes posted through the CRM API, faults.

In memory behind one lock (the simulator serves on threads); tests assert on `notes()`, which reads it directly.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from dataclasses import dataclass, field

TYPE_IDS = {"contact": "0-1", "ticket": "0-5"}  # HubSpot's object type ids, as in record URLs
NOTE_TO = {"contact": 202, "ticket": 228}  # HUBSPOT_DEFINED note → record association type ids


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + "000Z"


@dataclass
class Record:
    id: int
    kind: str  # "contact" or "ticket"
    properties: dict


@dataclass
class Note:
    id: int
    body: str  # hs_note_body as posted (HTML)
    timestamp: str  # hs_timestamp as posted
    associations: list[int] = field(default_factory=list)
    created_at: str = field(default_factory=_now)

    def as_object(self) -> dict:
        """The note as HubSpot's CRM API returns an object (SimplePublicObject)."""
        return {"id": str(self.id), "properties": {"hs_note_body": self.body, "hs_timestamp": self.timestamp,
                                                   "hs_createdate": self.created_at, "hs_lastmodifieddate": self.created_at,
                                                   "hs_object_id": str(self.id)},
                "createdAt": self.created_at, "updatedAt": self.created_at, "archived": False}


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.users: dict[int, dict] = {}
        self.records: dict[int, Record] = {}
        self.notes: dict[int, Note] = {}
        self.note_faults: list[int] = []  # statuses to answer the next note posts with, then normal service
        self.note_posts = 0  # every authorised note POST that reached us, faulted or not
        self._ids = itertools.count(5001)

    def next_id(self) -> int:
        return next(self._ids)

    def take_fault(self) -> int | None:
        with self.lock:
            self.note_posts += 1
            return self.note_faults.pop(0) if self.note_faults else None
