"""The decision log: writing it (chain, recorder), reading, verifying and exporting it."""
