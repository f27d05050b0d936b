"""Results of batch calls: successes and per-input failures, never raised."""

from dataclasses import dataclass, field


@dataclass
class BatchError:
    """One failure inside a batch call.

    ``inputs`` are the inputs it concerns (the whole chunk when HubSpot refused the
    chunk as a whole); ``ids`` what HubSpot named in the error's context.
    """

    message: str
    category: str = None
    status: int = None
    context: dict = field(default_factory=dict)
    inputs: list = field(default_factory=list)

    @property
    def ids(self):
        return [str(i) for i in (self.context.get("ids") or self.context.get("id") or [])]


@dataclass
class BatchResult:
    results: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors

    def extend(self, other):
        self.results.extend(other.results)
        self.errors.extend(other.errors)
        return self
