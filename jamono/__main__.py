import sys

from jamono.cli.main import main

sys.exit(main())
