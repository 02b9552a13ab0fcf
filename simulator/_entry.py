"""The `attune` entry point.

Headless commands are short-lived and allocate millions of objects while importing pydantic and
networkx; the cyclic garbage collector would rescan them over and over (~30 ms of start-up).
It is paused here, before anything heavy is imported, and `attune play` turns it back on before
the long-running player starts. Importing `simulator` as a library never touches it.
"""

import gc


def main() -> None:
    gc.disable()
    from simulator.cli import main as cli_main

    cli_main()
