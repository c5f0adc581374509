"""The `ganzoo` console command's entry point. It lives outside the ganzoo package because importing
ganzoo loads TensorFlow for several seconds, and a Ctrl-C in that time must end the command with one
line, as it does later, rather than with a traceback."""
import sys


def run() -> None:
    try:
        from ganzoo.cli import run as run_command
    except KeyboardInterrupt:
        print("ganzoo: interrupted.", file=sys.stderr)
        sys.exit(130)
    run_command()
