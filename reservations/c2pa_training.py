"""C2PA / CAWG training-and-data-mining assertions read from an asset's Content Credentials.

The CAWG "Training and Data Mining" assertion (``cawg.training-mining``; before CAWG took it
over, ``c2pa.training-mining`` of the C2PA 1.x specification) maps entry names to a ``use``
of ``allowed``, ``notAllowed`` or ``constrained`` (with ``constraint_info``). The entries
about training are
``*.ai_training``, ``*.ai_generative_training`` and ``*.data_mining``; ``*.ai_inference`` is
about use of a trained model, not training, and is not read here.

Only the active manifest is read: it is the one that speaks for the asset as it stands, and
an ingredient's wishes bind the ingredient, which a crawler does not take separately.

The manifest store is read with c2pa-python, configured never to reach the network: no remote
manifest fetch, no OCSP, and an empty list of allowed hosts for anything else. An asset whose
manifest lives only at a remote URL is reported as such, not as one without a manifest.
Validation failures are recorded but do not void an assertion: a rightsholder's reservation
is no less evident because a signature is untrusted or the asset was edited after signing.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

import c2pa

from reservations.evidence import MAX_ITEMS, clip
from reservations.verdict import Verdict, allow, deny

CHECK = "c2pa"
MAX_ASSET = 64 << 20
# Network off: remote manifests, certificate status, and any other fetch (empty host list).
# CAWG identity assertions are not decoded: resolving an identity may reach the network whatever
# the host list says, and who signed is not what the training-mining assertion is read for.
SETTINGS: dict[str, dict[str, Any]] = {
    "verify": {"remote_manifest_fetch": False, "ocsp_fetch": False},
    "core": {"allowed_network_hosts": [], "decode_identity_assertions": False},
}
_LABEL = re.compile(r"(?:cawg|c2pa)\.training-mining(?:\.v\d+)?(?:__\d+)?")
TRAINING_ENTRIES = frozenset(
    f"{prefix}.{name}"
    for prefix in ("cawg", "c2pa")
    for name in ("ai_training", "ai_generative_training", "data_mining")
)
USES = frozenset({"allowed", "notAllowed", "constrained"})
# C2PA validation status codes that mean an assertion's content could not be read.
_UNREADABLE_CODES = frozenset(
    {"assertion.cbor.invalid", "assertion.json.invalid", "assertion.missing"}
)

Status = Literal["found", "absent", "unreadable", "remote", "unsupported"]


@dataclass(frozen=True, slots=True)
class ManifestRead:
    """The manifest store of one asset as c2pa-python reports it, or why there is none."""

    status: Status
    store: Mapping[str, Any] = field(default_factory=dict)
    problem: str = ""


@cache
def _context() -> Any:
    return c2pa.Context(settings=c2pa.Settings.from_dict(SETTINGS))


@cache
def _supported() -> frozenset[str]:
    return frozenset(c2pa.Reader.get_supported_mime_types())


def read_manifest_store(data: bytes, mime: str, *, max_bytes: int = MAX_ASSET) -> ManifestRead:
    """The C2PA manifest store embedded in ``data``, read without any network access.

    ``mime`` is a hint; the library trusts the bytes over it. An asset of a type the library
    cannot hold a manifest in is ``unsupported``, unless ``mime`` names a type it supports, in
    which case the bytes are broken and the asset is ``unreadable``.
    """
    if len(data) > max_bytes:
        return ManifestRead("unreadable", problem="too_large")
    kind = mime.split(";", 1)[0].strip().lower()
    hint = kind if kind in _supported() else None
    try:
        with c2pa.Reader(hint, io.BytesIO(data), None, _context()) as reader:
            store = json.loads(reader.json())
    except c2pa.C2paError.ManifestNotFound:
        return ManifestRead("absent")
    except c2pa.C2paError.NotSupported as exc:
        return ManifestRead("unreadable" if hint else "unsupported", problem=clip(str(exc), 200))
    except c2pa.C2paError as exc:
        # The library reports a remote-only manifest as "Remote: must fetch ... from url ...".
        remote = isinstance(exc, c2pa.C2paError.RemoteManifest) or str(exc).startswith("Remote")
        return ManifestRead("remote" if remote else "unreadable", problem=clip(str(exc), 200))
    except (ValueError, OSError) as exc:
        return ManifestRead("unreadable", problem=clip(str(exc), 200))
    if not isinstance(store, dict):
        return ManifestRead("unreadable", problem="store is not an object")
    return ManifestRead("found", store)


def _failures(store: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    results = store.get("validation_results")
    active = results.get("activeManifest") if isinstance(results, Mapping) else None
    failures = active.get("failure") if isinstance(active, Mapping) else None
    if isinstance(failures, list):
        return [f for f in failures if isinstance(f, Mapping)]
    legacy = store.get("validation_status")  # stores read before validation_results existed
    return [f for f in legacy if isinstance(f, Mapping)] if isinstance(legacy, list) else []


def _signer(manifest: Mapping[str, Any]) -> dict[str, str]:
    info = manifest.get("signature_info")
    if not isinstance(info, Mapping):
        return {}
    return {k: clip(str(info[k]), 200) for k in ("issuer", "common_name") if k in info}


def _entries(manifest: Mapping[str, Any]) -> tuple[list[dict[str, str]], list[str], list[str]]:
    """Training entries of the training-mining assertions, their labels, and malformed ones."""
    found: list[dict[str, str]] = []
    labels: list[str] = []
    malformed: list[str] = []
    assertions = manifest.get("assertions")
    for assertion in assertions if isinstance(assertions, list) else []:
        label = assertion.get("label") if isinstance(assertion, Mapping) else None
        if not isinstance(label, str) or not _LABEL.fullmatch(label):
            continue
        labels.append(label)
        data = assertion.get("data")
        entries = data.get("entries") if isinstance(data, Mapping) else None
        if not isinstance(entries, Mapping):
            malformed.append(label)
            continue
        for name, entry in entries.items():
            if name not in TRAINING_ENTRIES:
                continue
            use = entry.get("use") if isinstance(entry, Mapping) else None
            if use not in USES:
                malformed.append(f"{label}/{name}")
                continue
            item = {"assertion": label, "entry": name, "use": str(use)}
            if isinstance(entry, Mapping) and "constraint_info" in entry:
                item["constraint_info"] = clip(str(entry["constraint_info"]), 200)
            found.append(item)
    return found, labels, malformed


def training_verdict(read: ManifestRead) -> Verdict:
    """Deny when the active manifest does not allow training, or the manifest is unreadable.

    ``notAllowed`` reserves; so does ``constrained``, whose ``constraint_info`` no program can
    be sure to read as permission. A reservation found wins over anything unreadable beside it.
    """
    if read.status == "absent":
        return allow(CHECK, "c2pa.none")
    if read.status == "unsupported":
        return allow(CHECK, "c2pa.format_not_supported", problem=read.problem)
    if read.status == "remote":
        return deny(CHECK, "c2pa.remote_manifest_unread", problem=read.problem)
    store = read.store
    manifests = store.get("manifests")
    active = store.get("active_manifest")
    manifest = manifests.get(active) if isinstance(manifests, Mapping) else None
    if read.status == "unreadable" or not isinstance(manifest, Mapping):
        return deny(CHECK, "c2pa.unreadable", problem=read.problem or "no active manifest")
    failures = _failures(store)
    entries, labels, malformed = _entries(manifest)
    malformed += [
        clip(str(f.get("url")), 200)
        for f in failures
        if f.get("code") in _UNREADABLE_CODES and "training-mining" in str(f.get("url"))
    ]
    evidence: dict[str, Any] = {
        "active_manifest": clip(str(active), 200),
        "validation_state": store.get("validation_state"),
        "validation_failures": [clip(str(f.get("code")), 100) for f in failures[:MAX_ITEMS]],
        "signer": _signer(manifest),
        "assertions": labels[:MAX_ITEMS],
        "entries": entries[:MAX_ITEMS],
    }
    if malformed:
        evidence["malformed"] = malformed[:MAX_ITEMS]
    uses = {e["use"] for e in entries}
    if "notAllowed" in uses:
        return deny(CHECK, "c2pa.training_not_allowed", **evidence)
    if "constrained" in uses:
        return deny(CHECK, "c2pa.training_constrained", constraint_read=False, **evidence)
    if malformed:
        return deny(CHECK, "c2pa.training_mining_malformed", **evidence)
    if entries:
        return allow(CHECK, "c2pa.training_allowed", **evidence)
    if labels:
        return allow(CHECK, "c2pa.no_training_entry", **evidence)
    return allow(CHECK, "c2pa.no_training_assertion", **evidence)


def c2pa_verdict(data: bytes, mime: str, *, max_bytes: int = MAX_ASSET) -> Verdict:
    """Read the asset's manifest store and evaluate it: the one call a crawler needs."""
    return training_verdict(read_manifest_store(data, mime, max_bytes=max_bytes))
