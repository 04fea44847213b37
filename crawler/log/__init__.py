"""The decision log: writing it (chain, recorder), reading, verifying, exporting and proving it."""
