"""The `attune` entry point.

Headless commands are short-lived and allocate millions of objects while importing pydantic and
networkx; the cyclic garbage collector would rescan them over and over.
It is paused here, before anything heavy is imported. Long-running commands turn it back on:
the Textual app (`play`, `review`) once its first frame is up, `serve` before it listens, the
plain player at once. Importing `simulator` as a library never touches it.

When a read-only command (`READ_ONLY`) has finished with the collector still paused, the objects
left are frozen (`gc.freeze`) before the interpreter exits. Finalisation runs full collections
even when the collector is paused, and each walks every object pydantic and networkx made
(a measurable share of `attune lint`; the figures are in docs/benchmarks.md). These commands open files only in `with` blocks or
through `Path.write_text`, so nothing waits on the collector to be flushed or closed; atexit
handlers and module teardown still run.

attune uses no pydantic plugins, and looking for them reads the metadata of every installed
package when the first model is validated; the command skips that search unless
PYDANTIC_DISABLE_PLUGINS is already set.
"""

import gc
import os
import sys

READ_ONLY = frozenset({"lint", "schema", "map", "score"})
"""Commands that write nothing but their output (or one `--out` file)."""


def main() -> None:
    gc.disable()
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from simulator.hosts.cli import main as cli_main

    try:
        cli_main()
    finally:
        if sys.argv[1:2] and sys.argv[1] in READ_ONLY and not gc.isenabled():
            gc.freeze()
