"""The Textual player: a thin shell over the headless core (one screen per mode, one widget per file)."""
