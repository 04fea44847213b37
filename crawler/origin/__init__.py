"""Per-origin policy documents (robots.txt, tdmrep.json, ai.txt): fetched, cached per origin."""
