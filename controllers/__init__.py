from . import hubspot_oauth
