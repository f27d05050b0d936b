"""A local HubSpot-compatible server for end-to-end tests, the demo and benchmarks.

It speaks the subset of HubSpot's CRM API that the connector uses, with HubSpot's
shapes, in both path styles (``/crm/v3/...`` and ``/crm/objects/2026-03/...``).
It binds to the loopback interface only. Pure Python, no Odoo import.
"""

from .server import SandboxServer
from .state import SandboxState

__all__ = ["SandboxServer", "SandboxState"]
