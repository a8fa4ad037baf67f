"""The ``vxfast`` command. Each subcommand lives in its own module of this package and defines
``register(subparsers)``, which adds its parser and sets ``func`` (args -> exit code)."""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vxfast", description="Fast ML inference over video.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument("--ffmpeg-log-level", default="fatal", metavar="LEVEL",
                        help="FFmpeg's own log lines: quiet, fatal (default: damage is counted and "
                             "reported by vxfast instead), error, warning, info, debug")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from .. import __version__
        print(f"vxfast {__version__}")
        return 0
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from ..errors import VxfastError
    try:
        from ..video import set_log_level

        set_log_level(args.ffmpeg_log_level)  # a program's choice, not an import side effect
        return int(args.func(args) or 0)
    except (VxfastError, FileNotFoundError, ValueError) as e:
        print(f"vxfast {args.command}: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
