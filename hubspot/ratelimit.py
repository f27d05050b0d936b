"""Client-side rate budget, so that a sync normally never meets a 429.

HubSpot counts requests per app in a rolling 10-second window (100 on Free/Starter,
190 on Professional/Enterprise) and search requests at 5 per second per account;
search and the association batch endpoints are exempt from the 10-second window
(the client charges search to its own limiter and association batches to none).
A :class:`RateLimiter` is a sliding-window log: before a call it waits until fewer
than ``max_calls`` calls happened in the last ``period`` seconds. Limiters are
shared per key (the account) within a process, so two sync jobs of one account
running in two threads draw from one budget.
"""

import threading
import time
from collections import deque


class RateLimiter:
    _shared = {}
    _shared_lock = threading.Lock()

    def __init__(self, max_calls, period, clock=time.monotonic, sleep=time.sleep):
        if max_calls < 1 or period <= 0:
            raise ValueError("a rate limit needs max_calls >= 1 and period > 0")
        self.max_calls = max_calls
        self.period = period
        self.clock = clock
        self.sleep = sleep
        self._calls = deque()
        self._lock = threading.Lock()
        self._blocked_until = 0.0
        self.waited = 0.0  # seconds spent waiting, for metrics

    @classmethod
    def shared(cls, key, max_calls, period):
        """The process-wide limiter for ``key`` (re-sized if the budget changed)."""
        with cls._shared_lock:
            limiter = cls._shared.get(key)
            if limiter is None or limiter.max_calls != max_calls or limiter.period != period:
                limiter = cls._shared[key] = cls(max_calls, period)
            return limiter

    def acquire(self):
        """Block until one more call fits in the window, then record it."""
        with self._lock:
            while True:
                now = self.clock()
                while self._calls and now - self._calls[0] >= self.period:
                    self._calls.popleft()
                wait = self._blocked_until - now
                if len(self._calls) >= self.max_calls:
                    wait = max(wait, self.period - (now - self._calls[0]))
                if wait <= 0:
                    self._calls.append(now)
                    return
                self.waited += wait
                self.sleep(wait)

    def observe(self, remaining, interval_ms):
        """Take HubSpot's own count into account: when it says nothing remains
        (other apps or workers share the budget), pause for its interval."""
        if remaining is not None and remaining <= 0 and interval_ms:
            with self._lock:
                self._blocked_until = max(self._blocked_until, self.clock() + interval_ms / 1000.0)
