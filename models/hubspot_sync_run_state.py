"""The state of one sync run, and the look-ups it loads once.

A run (inbound or outbound, of one account and object type) carries a :class:`RunState`
through the engine's steps and the synced models' hooks: ``state.account``, ``state.spec``,
``state.client``, ``state.run`` (the ``hubspot.sync.run`` row, None on demand), the counters
written on the run, and ``state.cache`` (:class:`RunLookups`). Importing the associated records
of another type on the way (a contact's company) uses :meth:`RunState.nested`.
"""

import copy

from odoo import Command

from ..hubspot import HubSpotError

# The context of every write of the sync: no tracking, no chatter; the binding mixin lets the
# superuser with ``hubspot_sync`` write the link fields and skip the fields HubSpot owns.
SYNC_CONTEXT = {
    "hubspot_sync": True,
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
}


class RunState:
    """What one run carries from step to step: the account, the spec of its object type, its
    run record and API client, its counters, notes and failures, and its look-ups."""

    def __init__(self, engine, account, spec, run, client):
        self.engine = engine
        self.account = account
        self.spec = spec
        self.run = run
        self.client = client
        self.counts = {}
        self.cache = RunLookups(engine.env, account)
        self.mappings = {}  # object type -> mappings
        self.horizon_ms = float("inf")  # the checkpoint stays below this
        self.counting = True
        self.skip_unchanged = False  # skip records whose HubSpot version Odoo already has
        self.excluded_ids = {}  # object type -> set of HubSpot ids excluded in this run
        self.notes = set()  # what the run's message tells the admin (e.g. why records were skipped)
        self.rereading = None  # the re-read mark (its serial) this run reads every record for
        self.unlinked = []  # (name, reason) of the records of the run's type it unlinked (kept in Odoo)
        self.failures = {}  # (object type, HubSpot id) -> why that record failed (what a wizard tells its user)
        self.scheduled = False  # a run of the sync jobs (may commit, refresh owners and pipelines)
        self.refreshed = set()  # "owners", "pipelines": read again during this run

    def count(self, name, amount=1):
        if self.counting:
            self.counts[name] = self.counts.get(name, 0) + amount

    def nested(self, spec):
        """The same run importing records of another type (e.g. a contact's company)."""
        nested = copy.copy(self)
        nested.spec, nested.counting = spec, False
        return nested

    def mappings_for(self, object_type):
        """The account's mappings of ``object_type``, compiled once per run."""
        if object_type not in self.mappings:
            self.mappings[object_type] = self.account._mappings(object_type)._compile()
        return self.mappings[object_type]

    def reset_cache(self):
        """Look-ups are read again (owners, pipelines); what HubSpot said (the portal's currency)
        and the users the run names stay."""
        cache = RunLookups(self.engine.env, self.account)
        cache._portal_currency = self.cache._portal_currency
        cache.unmapped_users = self.cache.unmapped_users
        self.cache = cache

    def save(self):
        """What a step changes in memory, to go back to when the step is done again."""
        return copy.deepcopy((self.counts, self.failures, self.notes, self.excluded_ids))

    def restore(self, saved):
        self.counts, self.failures, self.notes, self.excluded_ids = saved
        self.reset_cache()  # it may hold records of the rolled back transaction

    def flush_counts(self):
        if self.run and self.counts:
            self.run.write({f"{name}_count": self.run[f"{name}_count"] + n for name, n in self.counts.items()})
        self.counts = {}


class RunLookups:
    """Look-ups the mappings and the hooks need (countries, owners, pipelines, currencies...),
    loaded once per run."""

    def __init__(self, env, account):
        self.env = env
        self.account = account
        self._countries = None
        self._states = {}
        self._owners = None
        self._owners_by_user = None
        self._owner_ids = None
        self._pipelines = {}  # object type -> hubspot.pipeline records
        self._lost_reasons = None
        self._currencies = {}  # ISO code -> res.currency (inactive ones too), or None
        self._rated = {}  # res.currency id -> has an exchange rate for the account's company
        self._portal_currency = None
        self.unmapped_users = set()

    def country(self, value):
        if self._countries is None:
            self._countries = {}
            for country in self.env["res.country"].with_context(lang="en_US").search([]):
                for key in (country.code, country.name):
                    if key:
                        self._countries[key.strip().lower()] = country.id
        return self._countries.get(value.strip().lower())  # unknown: None, keep Odoo's

    def state(self, value):
        key = value.strip().lower()
        if key not in self._states:
            state = self.env["res.country.state"].search(
                ["|", ("name", "=ilike", key), ("code", "=ilike", key)], limit=1
            )
            self._states[key] = state.id or None
        return self._states[key]

    def pipelines(self, object_type):
        """The account's cached HubSpot pipelines of ``object_type`` (archived ones included),
        loaded once per run with their stages."""
        if object_type not in self._pipelines:
            pipelines = self.env["hubspot.pipeline"].search(
                [("account_id", "=", self.account.id), ("object_type", "=", object_type)]
            )
            pipelines.stage_ids.mapped("name")  # prefetch the stages with the pipelines
            self._pipelines[object_type] = pipelines
        return self._pipelines[object_type]

    def pipeline(self, object_type, pipeline_id):
        """The cached pipeline with this HubSpot id, or an empty record."""
        return self.pipelines(object_type).filtered(lambda p: p.hubspot_id == str(pipeline_id or ""))[:1]

    def deal_stage(self, pipeline_id, stage_id):
        """The cached HubSpot deal stage (``hubspot.pipeline.stage``) or an empty record."""
        return self.pipeline("deals", pipeline_id).stage_ids.filtered(lambda s: s.hubspot_id == str(stage_id))[:1]

    def lost_reason(self, name):
        """The Odoo lost reason named like HubSpot's (created when new, so nothing is lost)."""
        name = (name or "").strip()
        if not name:
            return False
        if self._lost_reasons is None:
            reasons = self.env["crm.lost.reason"].with_context(active_test=False).search([])
            self._lost_reasons = {r.name.strip().lower(): r.id for r in reasons}
        key = name[:100].lower()
        if key not in self._lost_reasons:
            self._lost_reasons[key] = self.env["crm.lost.reason"].sudo().create({"name": name[:100]}).id
        return self._lost_reasons[key]

    def currency(self, code):
        """The Odoo currency with this ISO code (active or not), or None."""
        if code not in self._currencies:
            found = self.env["res.currency"].with_context(active_test=False).search([("name", "=", code)], limit=1)
            self._currencies[code] = found or None
        return self._currencies[code]

    def has_rate(self, currency):
        """Does Odoo have an exchange rate for ``currency`` (else it would convert one to one)?"""
        if currency.id not in self._rated:
            company = self.account.company_id.root_id
            self._rated[currency.id] = bool(
                self.env["res.currency.rate"].search_count(
                    [("currency_id", "=", currency.id), ("company_id", "in", [False, company.id])], limit=1
                )
            )
        return self._rated[currency.id]

    def portal_currency(self, client):
        """The portal's company currency (ISO code), which a deal without currency is in;
        asked once per run. Raises :class:`HubSpotError` when HubSpot does not say."""
        if self._portal_currency is None:
            try:
                details = client.get_account_details() or {}
            except HubSpotError as error:
                self._portal_currency = error
            else:
                self._portal_currency = str(details.get("companyCurrency") or "").strip().upper()
        if isinstance(self._portal_currency, HubSpotError):
            raise self._portal_currency
        return self._portal_currency

    def known_owner(self, value):
        """Is ``value`` the id of an owner Odoo has read from HubSpot (with or without user)?"""
        if self._owner_ids is None:
            self._owner_ids = set(
                self.env["hubspot.owner"].search([("account_id", "=", self.account.id)]).mapped("hubspot_id")
            )
        return str(value).strip() in self._owner_ids

    def owner_of_user(self, user):
        """The HubSpot owner id of an Odoo user; None when the user has none (and remember it)."""
        if self._owners_by_user is None:
            owners = self.env["hubspot.owner"].search([("account_id", "=", self.account.id), ("user_id", "!=", False)])
            self._owners_by_user = {o.user_id.id: o.hubspot_id for o in owners}
        owner = self._owners_by_user.get(user.id)
        if owner is None:
            self.unmapped_users.add(user.display_name)
        return owner

    def user_of_owner(self, value):
        if self._owners is None:
            owners = self.env["hubspot.owner"].search([("account_id", "=", self.account.id), ("user_id", "!=", False)])
            self._owners = {o.hubspot_id: o.user_id.id for o in owners}
        return self._owners.get(str(value).strip())  # an owner without Odoo user: keep Odoo's


def _same(record, name, value):
    field = record._fields[name]
    current = record[name]
    if field.type == "many2one":
        return current.id == (value or False)
    if field.type == "many2many" and isinstance(value, list) and len(value) == 1 and value[0][0] == Command.SET:
        return set(current.ids) == set(value[0][2])
    if field.type in ("many2many", "one2many"):
        return False
    if field.type == "html":
        return (str(current or "") or False) == (str(value or "") or False)
    if field.type in ("char", "text", "selection"):
        return (current or False) == (value or False)
    return current == value
