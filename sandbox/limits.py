"""Rate limits (HubSpot's policies and headers) and fault injection for the sandbox."""

import random
import re
import threading
import time
from collections import deque

TEN_SECONDLY = "TEN_SECONDLY_ROLLING"
SECONDLY = "SECONDLY"
DAILY = "DAILY"
PARTIAL_BATCH = re.compile(r"/batch/(create|update|upsert)$")  # writes HubSpot may answer 207
MESSAGES = {
    TEN_SECONDLY: "You have reached your ten secondly limit.",
    SECONDLY: "You have reached your secondly limit.",
    DAILY: "You have reached your daily limit.",
}


class RateLimiter:
    """HubSpot's limits: requests per rolling 10 s, searches per second, requests per day.

    Usage is always counted (the daily usage endpoint and the headers show it);
    requests are refused with 429 only while ``enabled``.
    """

    SETTINGS = ("enabled", "per_ten_seconds", "search_per_second", "daily", "window", "search_window")

    def __init__(
        self, enabled=False, per_ten_seconds=100, search_per_second=5, daily=250000, window=10.0, search_window=1.0
    ):
        self.lock = threading.Lock()
        self.enabled = enabled
        self.per_ten_seconds = per_ten_seconds
        self.search_per_second = search_per_second
        self.daily = daily
        self.window = window  # seconds of the "ten secondly" rolling window (shorter in tests)
        self.search_window = search_window
        self.clear()

    def clear(self):
        """Forget the windows and today's usage (not the settings)."""
        self.recent = deque()
        self.searches = deque()
        self.daily_used = 0
        self.day = None
        self.peak = 0  # the most requests counted in one ten-secondly window

    def configure(self, **settings):
        unknown = set(settings) - set(self.SETTINGS)
        if unknown:
            raise ValueError(f"unknown rate limit settings: {sorted(unknown)}")
        for name, value in settings.items():
            setattr(self, name, bool(value) if name == "enabled" else value)
        return self

    def settings(self):
        return {name: getattr(self, name) for name in self.SETTINGS}

    def _new_day(self, today):
        if today != self.day:
            self.day = today
            self.daily_used = 0

    def check(self, search, today, now=None, exempt=False):
        """Count one request. Returns (headers, refused policy name or None).

        ``search``: counted against search's own per-second limit instead of the
        ten-secondly one; ``exempt``: against neither (HubSpot's published exemptions:
        the association batch endpoints). Every request counts against the daily limit.
        """
        now = time.monotonic() if now is None else now
        with self.lock:
            self._new_day(today)
            if self.enabled and self.daily is not None and self.daily_used >= self.daily:
                return self.headers(now, search), DAILY
            if exempt and not search:
                self.daily_used += 1
                return self.headers(now), None
            if search:
                queue, limit, window, policy = self.searches, self.search_per_second, self.search_window, SECONDLY
            else:
                queue, limit, window, policy = self.recent, self.per_ten_seconds, self.window, TEN_SECONDLY
            while queue and queue[0] <= now - window:
                queue.popleft()
            if self.enabled and limit is not None and len(queue) >= limit:
                return self.headers(now, search), policy
            queue.append(now)
            self.daily_used += 1
            if not search:
                self.peak = max(self.peak, len(queue))
            return self.headers(now, search), None

    def headers(self, now, search=False):
        if search:
            return []  # HubSpot's search endpoints send no rate limit headers
        in_window = sum(1 for t in self.recent if t > now - self.window)
        headers = [
            ("X-HubSpot-RateLimit-Interval-Milliseconds", str(int(self.window * 1000))),
            ("X-HubSpot-RateLimit-Max", str(self.per_ten_seconds)),
            ("X-HubSpot-RateLimit-Remaining", str(max(0, (self.per_ten_seconds or 0) - in_window))),
        ]
        if self.daily is not None:
            headers += [
                ("X-HubSpot-RateLimit-Daily", str(self.daily)),
                ("X-HubSpot-RateLimit-Daily-Remaining", str(max(0, self.daily - self.daily_used))),
            ]
        return headers


class Faults:
    """Injected failures, drawn per API request from a seeded generator.

    Shares (0..1): ``error_rate`` (502/503/504), ``rate_limit_rate`` (429: ten-secondly, or
    search's secondly limit on a search), ``timeout_rate`` (sleep ``timeout_seconds`` before
    answering), ``malformed_rate`` (a truncated JSON body), ``partial_rate`` (a batch create,
    update or upsert answered 207: up to ``partial_max`` of its inputs refused, the others
    done); ``retry_after_rate``: the share of injected 429s that carry a ``Retry-After``
    header (HubSpot does not document one: clients must cope with both); ``latency``
    seconds are added to every request, or a random time between ``latency`` and
    ``latency_max`` when that is larger.
    ``fail_next(n, status=...)`` scripts the next n matching requests exactly.
    """

    SETTINGS = (
        "error_rate",
        "error_statuses",
        "rate_limit_rate",
        "timeout_rate",
        "timeout_seconds",
        "malformed_rate",
        "partial_rate",
        "partial_max",
        "retry_after_rate",
        "latency",
        "latency_max",
        "seed",
    )
    KINDS = ("status", "timeout", "malformed")

    def __init__(self, **settings):
        self.lock = threading.Lock()
        self.error_rate = 0.0
        self.error_statuses = [502, 503, 504]
        self.rate_limit_rate = 0.0
        self.timeout_rate = 0.0
        self.timeout_seconds = 30.0
        self.malformed_rate = 0.0
        self.partial_rate = 0.0
        self.partial_max = 3.0
        self.retry_after_rate = 0.0
        self.latency = 0.0
        self.latency_max = 0.0
        self.seed = 0
        self.scripted = []
        self.configure(**settings)

    def configure(self, **settings):
        """Set some settings (the others keep their value); a ``seed`` restarts the draws."""
        unknown = set(settings) - set(self.SETTINGS)
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        with self.lock:
            for name, value in settings.items():
                if name.endswith("_rate") and not 0 <= float(value) <= 1:
                    raise ValueError(f"{name} is a share between 0 and 1, not {value}")
                if name == "error_statuses":
                    value = [int(v) for v in value]
                elif name != "seed":
                    value = float(value)
                setattr(self, name, value)
            self.random = random.Random(self.seed)
        return self

    def clear(self):
        """Everything off, scripted failures dropped."""
        self.scripted = []
        return self.configure(
            error_rate=0, rate_limit_rate=0, timeout_rate=0, malformed_rate=0, partial_rate=0, latency=0, latency_max=0
        )

    def settings(self):
        return {
            **{name: getattr(self, name) for name in self.SETTINGS},
            "pending": [dict(entry) for entry in self.scripted],
        }

    def fail_next(self, count=1, status=503, kind="status", path=None, method=None):
        """The next ``count`` API requests (whose path contains ``path``) fail this way."""
        if kind not in self.KINDS:
            raise ValueError(f"kind must be one of {self.KINDS}")
        with self.lock:
            self.scripted.append(
                {"count": int(count), "kind": kind, "status": int(status), "path": path, "method": method}
            )

    def delay(self):
        """Seconds to add to this request."""
        if self.latency_max > self.latency:
            with self.lock:
                return self.random.uniform(self.latency, self.latency_max)
        return self.latency

    def with_retry_after(self):
        """Does this injected 429 carry a Retry-After header?"""
        with self.lock:
            return self.random.random() < self.retry_after_rate

    def refused_inputs(self, count):
        """Which of ``count`` batch inputs an injected 207 refuses (at least one, never all)."""
        with self.lock:
            if count < 2:
                return []
            many = self.random.randint(1, min(count - 1, max(1, int(self.partial_max))))
            return sorted(self.random.sample(range(count), many))

    def draw(self, method, path):
        """(kind, status) for this request, or None. Kinds: status, timeout, malformed, partial."""
        with self.lock:
            for entry in self.scripted:
                if (entry["path"] is None or entry["path"] in path) and entry["method"] in (None, method):
                    entry["count"] -= 1
                    if entry["count"] <= 0:
                        self.scripted.remove(entry)
                    return entry["kind"], entry["status"]
            rates = (self.error_rate, self.rate_limit_rate, self.timeout_rate, self.malformed_rate, self.partial_rate)
            if not any(rates):
                return None
            roll = self.random.random()
            if roll < self.error_rate:
                return "status", self.random.choice(self.error_statuses)
            roll -= self.error_rate
            if roll < self.rate_limit_rate:
                return "status", 429
            roll -= self.rate_limit_rate
            if roll < self.timeout_rate:
                return "timeout", 200
            roll -= self.timeout_rate
            if roll < self.malformed_rate:
                return "malformed", 200
            roll -= self.malformed_rate
            if roll < self.partial_rate and PARTIAL_BATCH.search(path):
                return "partial", 207
            return None
