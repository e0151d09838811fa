import sys

from jamono.cli import main

sys.exit(main())
