from . import hubspot_oauth
from . import hubspot_webhook
