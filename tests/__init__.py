from . import test_access
from . import test_client
from . import test_client_core
from . import test_connection
from . import test_install
from . import test_sandbox_core
from . import test_ui
from . import test_wizards
