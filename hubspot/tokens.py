"""Token providers: where the client gets the Bearer token for each request."""


class StaticToken:
    """A private app access token (or a service key): it never changes."""

    def __init__(self, token):
        self._token = token

    def get(self):
        return self._token

    def __repr__(self):
        return "StaticToken(<hidden>)"
