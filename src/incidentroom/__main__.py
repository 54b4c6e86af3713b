"""``python -m incidentroom`` is the same as the ``incidentroom`` command."""

import sys

from incidentroom.cli import main

sys.exit(main())
