"""Every HubSpot URL path is built here, from the account's API version.

HubSpot moved its REST APIs to date-versioned paths in March 2026
(``/crm/objects/2026-03/companies``); the numbered ones (``/crm/v3/objects/...``)
keep working until September 2027. Callers ask for an *area* and never spell a
prefix themselves, so switching an account between the two is one setting.
"""

DEFAULT_API_VERSION = "2026-03"
API_VERSIONS = ("2026-03", "v3")


class ApiPaths:
    def __init__(self, version=DEFAULT_API_VERSION):
        if version not in API_VERSIONS:
            raise ValueError(f"unsupported HubSpot API version {version!r}; use one of {API_VERSIONS}")
        self.version = version
        self.dated = version != "v3"

    def _area(self, area, numbered):
        """`area` is the path's first part (``crm/objects``); numbered is v3/v4."""
        if self.dated:
            return f"/{area}/{self.version}"
        head, _, tail = area.partition("/")
        return f"/{head}/{numbered}/{tail}" if tail else f"/{head}/{numbered}"

    # CRM records
    def objects(self, object_type, *parts):
        return "/".join([self._area("crm/objects", "v3"), object_type, *map(str, parts)])

    def associations(self, from_type, to_type, *parts):
        return "/".join([self._area("crm/associations", "v4"), from_type, to_type, *map(str, parts)])

    def record_associations(self, object_type, object_id, to_type, *parts):
        base = self._area("crm/objects", "v4")
        return "/".join([base, object_type, str(object_id), "associations", to_type, *map(str, parts)])

    def owners(self, *parts):
        return "/".join([self._area("crm/owners", "v3").rstrip("/"), *map(str, parts)])

    def pipelines(self, object_type, *parts):
        return "/".join([self._area("crm/pipelines", "v3"), object_type, *map(str, parts)])

    def properties(self, object_type, *parts):
        return "/".join([self._area("crm/properties", "v3"), object_type, *map(str, parts)])

    # Portal
    def account_details(self):
        return self._area("account-info", "v3") + "/details"

    def daily_usage(self):
        return self._area("account-info", "v3") + "/api-usage/daily/private-apps"

    # OAuth
    def oauth_token(self):
        return self._area("oauth", "v1") + "/token"
