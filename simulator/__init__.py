"""attunement: a training simulator for working with resistance, pacing and rupture repair.

The headless core (models, loader, analysis, engine, storage) lives here and in `scoring/`;
it never imports Textual or Rich. The terminal player is in `simulator.hosts.tui`.
"""

__version__ = "0.1.0"
