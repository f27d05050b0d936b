"""The account's "Requests per 10 s" is the budget its calls spend: an administrator lowers it to
leave room for the portal's other apps, and the connector then never sends more than that in
any 10 seconds (its calls wait instead), whatever HubSpot itself would still allow."""

from unittest.mock import patch

from odoo.tests import tagged

from ..hubspot.ratelimit import RateLimiter
from .common import HubSpotCase, SandboxMixin


@tagged("post_install", "-at_install")
class TestAccountRateBudget(SandboxMixin, HubSpotCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_sandbox()
        cls.account.write({"api_base_url": cls.sandbox.url, "access_token": "sandbox-token"})

    def refresh_with_budget(self, budget):
        """*Refresh properties & owners* with ``budget`` requests per 10 s. Returns when each of
        its calls left, on a clock its waits move (no real waiting): the calls HubSpot counts in
        its 10-second window (its searches have a budget of their own)."""
        self.account.rate_limit_per_10s = budget
        now, sent = [0.0], []
        init, acquire = RateLimiter.__init__, RateLimiter.acquire

        def fake_clock_init(limiter, max_calls, period, clock=None, sleep=None):
            init(limiter, max_calls, period, clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))

        def noted_acquire(limiter):
            acquire(limiter)
            if limiter.period == 10.0:
                sent.append(now[0])

        with (
            patch.dict(RateLimiter._shared, clear=True),  # the account's limiter is made afresh
            patch.object(RateLimiter, "__init__", fake_clock_init),
            patch.object(RateLimiter, "acquire", noted_acquire),
        ):
            self.sandbox.state.clear_log()
            self.account.action_refresh_catalogue()
        stats = self.sandbox.state.stats()
        self.assertEqual(stats["by_status"].get("429", 0), 0, "HubSpot refused nothing")
        return sent

    def test_no_more_calls_in_any_10_seconds_than_the_account_allows(self):
        sent = self.refresh_with_budget(2)
        self.assertGreater(len(sent), 2, "the refresh makes more calls than the budget")
        self.assertEqual(sent[:2], [0.0, 0.0], "the first two leave at once")
        crowded = [(first, third) for first, third in zip(sent, sent[2:], strict=False) if third - first < 10]
        self.assertFalse(crowded, f"never a third call within 10 s of the one two before: {sent}")

    def test_a_larger_budget_sends_them_without_waiting(self):
        sent = self.refresh_with_budget(100)
        self.assertGreater(len(sent), 2)
        self.assertEqual(set(sent), {0.0}, "nothing waited")
