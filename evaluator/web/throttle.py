"""Failed logins counted per name: past the limit within the window, logins for that name are
refused (429) until the oldest failure leaves the window."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable

from ..base.names import person_key


class LoginThrottle:
    def __init__(self, limit: int, window_s: float, clock: Callable[[], float]) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        while failures and now - failures[0] > self.window_s:
            failures.popleft()
        if not failures:
            del self._failures[key]
        return failures

    def blocked(self, name: str) -> bool:
        with self._lock:
            return len(self._recent(person_key(name), self._clock())) >= self.limit

    def failed(self, name: str) -> None:
        key = person_key(name)
        now = self._clock()
        with self._lock:
            self._recent(key, now)
            self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(person_key(name), None)
