"""Old path of the decision log's writer, kept for one release: use crawler.log.recorder."""

import warnings

from crawler.log.recorder import DecisionRecorder

warnings.warn(
    "crawler.recorder.DecisionRecorder moved to crawler.log.recorder.DecisionRecorder",
    DeprecationWarning,
    stacklevel=2,
)
__all__ = ["DecisionRecorder"]
