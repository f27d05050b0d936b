from . import hubspot_account
from . import res_config_settings
