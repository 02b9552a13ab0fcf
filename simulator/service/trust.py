"""Trust and reach for the hosts: verifying transcripts, exports (CSV, JSON, HTML, xAPI) and the
learning record store's outbox."""

from __future__ import annotations

from simulator.reach import export, lrs
from simulator.reach.integrity import (
    verify_against_database,
    verify_file,
    verify_stored,
)

__all__ = [
    "export",
    "lrs",
    "verify_against_database",
    "verify_file",
    "verify_stored",
]
