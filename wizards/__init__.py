from . import hubspot_accept_company
from . import hubspot_import_record
from . import hubspot_reject_company
