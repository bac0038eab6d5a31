"""``python -m datatrail``: the command line, as the ``datatrail`` script runs it."""

from datatrail.cli import main

raise SystemExit(main())
