"""Server-side sessions behind a signed cookie, with an idle timeout.

The cookie holds only a random session id and its HMAC: the user, the CSRF token and the last
use stay on the server, so logging out, an idle timeout or a removed user end a session at once."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass

SESSION_ID_BYTES = 32
SWEEP_EVERY = 1000  # new sessions between two sweeps of the expired ones


@dataclass
class Session:
    id: str
    csrf: str
    user_name: str | None  # None: not logged in (it still carries a CSRF token for the login form)
    last_seen: float


class CookieSigner:
    """`<id>.<mac>`: a cookie not made by this server (or with another secret) is ignored."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _mac(self, session_id: str) -> str:
        digest = hmac.new(self._secret, session_id.encode("ascii"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")

    def sign(self, session_id: str) -> str:
        return f"{session_id}.{self._mac(session_id)}"

    def unsign(self, value: str | None) -> str | None:
        if not value or value.count(".") != 1:
            return None
        session_id, mac = value.split(".")
        try:
            expected = self._mac(session_id)
        except UnicodeEncodeError:
            return None
        return session_id if hmac.compare_digest(mac.encode(), expected.encode()) else None


class SessionStore:
    """Sessions in memory, one store per application.  A session unused for `idle_timeout_s`
    is gone; the clock is injectable so that tests need not wait."""

    def __init__(self, idle_timeout_s: float, clock: Callable[[], float]) -> None:
        self.idle_timeout_s = idle_timeout_s
        self._clock = clock
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()
        self._created = 0

    def _alive(self, session: Session, now: float) -> bool:
        return now - session.last_seen <= self.idle_timeout_s

    def get(self, session_id: str | None) -> Session | None:
        """The live session of that id, its idle time reset; None if unknown or expired."""
        if session_id is None:
            return None
        now = self._clock()
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                return None
            if not self._alive(session, now):
                del self._sessions[session_id]
                return None
            session.last_seen = now
            return session

    def new(self, user_name: str | None = None) -> Session:
        now = self._clock()
        session = Session(
            id=secrets.token_urlsafe(SESSION_ID_BYTES),
            csrf=secrets.token_urlsafe(SESSION_ID_BYTES),
            user_name=user_name,
            last_seen=now,
        )
        with self._lock:
            self._sessions[session.id] = session
            self._created += 1
            if self._created % SWEEP_EVERY == 0:
                for stale in [s for s in self._sessions.values() if not self._alive(s, now)]:
                    del self._sessions[stale.id]
        return session

    def drop(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(session_id, None)
