import sys

try:
    from .cli import main
    from .process import stop_on_signals
except KeyboardInterrupt:  # Ctrl-C while the modules load: no traceback
    sys.exit(130)

stop_on_signals()
sys.exit(main())
