"""Old class paths (``crawler.middlewares.gates.RequestGate``, ``crawler.middlewares.robots...``),
kept working for one release: each old module name points at the module that replaced it."""

import importlib
import sys
import warnings

_MOVED = {
    "gates": "crawler.gates",
    **{
        name: f"crawler.checks.{name}"
        for name in (
            "access",
            "aitxt",
            "also_obey",
            "blocklist",
            "content_signal",
            "content_usage",
            "noai",
            "robots",
            "tdmrep",
        )
    },
}

warnings.warn(
    "crawler.middlewares.* was renamed: use crawler.gates and crawler.checks.* (see README); "
    "the old paths go away in the next release",
    DeprecationWarning,
    stacklevel=2,
)
for _old, _new in _MOVED.items():
    sys.modules[f"{__name__}.{_old}"] = importlib.import_module(_new)
