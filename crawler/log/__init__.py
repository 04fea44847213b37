"""The decision log: writing it, reading it, proving it."""
