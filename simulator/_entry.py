"""The `attune` entry point.

Headless commands are short-lived and allocate millions of objects while importing pydantic and
networkx; the cyclic garbage collector would rescan them over and over (~30 ms of start-up).
It is paused here, before anything heavy is imported. Long-running commands turn it back on:
the Textual app (`play`, `review`) once its first frame is up, `serve` before it listens, the
plain player at once. Importing `simulator` as a library never touches it.

attune uses no pydantic plugins, and looking for them reads the metadata of every installed
package when the first model is validated (~3 ms); the command skips that search unless
PYDANTIC_DISABLE_PLUGINS is already set.
"""

import gc
import os


def main() -> None:
    gc.disable()
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from simulator.cli import main as cli_main

    cli_main()
