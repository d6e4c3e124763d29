"""One module per command; each has HELP, add_arguments(parser) and run(args) -> exit code."""
from . import archive, build, fmt, new, serve, validate

COMMANDS = {"validate": validate, "build": build, "serve": serve, "new": new, "fmt": fmt, "archive": archive}
