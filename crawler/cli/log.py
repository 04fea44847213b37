"""``heed log ...``: verify, seal, prove and export decision logs."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from crawler.cli import export
from crawler.cluster.logs import crawl_mismatches
from crawler.errors import HeedError
from crawler.log.checkpoint import KeyFormatError, parse_verifier_key
from crawler.log.read import iter_log_files
from crawler.log.verify import Anchors, State, verify_log
from crawler.progress import TerminalProgress

EXIT_INCOMPLETE = 4


def register(subparsers: Any) -> None:
    log = subparsers.add_parser("log", help="verify, prove and export decision logs")
    commands = log.add_subparsers(dest="log_command", metavar="ACTION", required=True)
    verify = commands.add_parser(
        "verify",
        help="check every log's chain, checkpoints and closing record",
        description="Exit 0 when every log is complete and intact; 1 when any is broken or "
        "tampered with (FILE:LINE: problem); 4 when none is broken but one has no closing "
        "record (FILE: incomplete: ...): killed, or cut. What each option adds is in "
        "docs/decision-log.md.",
    )
    verify.add_argument("logs", nargs="+", metavar="LOG", help="log files or folders of logs")
    verify.add_argument(
        "--key", type=Path, metavar="FILE.pub", help="every checkpoint must be signed by this key"
    )
    verify.add_argument(
        "--checkpoint",
        type=Path,
        metavar="FILE",
        help="a checkpoint file (HEED_CHECKPOINT_FILE): each log must hold its run's checkpoints",
    )
    verify.add_argument(
        "--replay",
        action="store_true",
        help="re-derive every robots.txt decision from the robots.txt files archived beside "
        "the log (LOG.warc.gz); one not reproduced is a problem (exit 1)",
    )
    verify.set_defaults(func=run_verify)
    keygen = commands.add_parser(
        "keygen",
        help="create an Ed25519 key that signs checkpoints",
        description="Write a private key to FILE (mode 0600; set HEED_LOG_SIGNING_KEY to it) "
        "and its verifier key to FILE.pub (publish it; give it to verify --key).",
    )
    keygen.add_argument("-o", "--output", required=True, type=Path, metavar="FILE")
    keygen.add_argument(
        "--name", default="heed", help="key name (HEED_LOG_SIGNING_KEY_NAME; default: heed)"
    )
    keygen.set_defaults(func=run_keygen)
    prove = commands.add_parser(
        "prove",
        help="print records with inclusion proofs against the log's last checkpoint (JSON)",
    )
    prove.add_argument("log", type=Path, metavar="LOG")
    which = prove.add_mutually_exclusive_group(required=True)
    which.add_argument("--url", help="the records of this exact URL")
    which.add_argument("--domain", help="the records of this registrable domain's URLs")
    prove.set_defaults(func=run_prove)
    check = commands.add_parser(
        "verify-proof", help="check a proof document offline (exit 0 proven, 1 not)"
    )
    check.add_argument("proof", type=Path, metavar="PROOF")
    check.add_argument("--key", required=True, type=Path, metavar="FILE.pub")
    check.set_defaults(func=run_verify_proof)
    export.register(commands)


def read_key(path: Path | None) -> str | None:
    """The verifier key text in ``path``; ``HeedError`` if it is not one."""
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8").strip()
        parse_verifier_key(text)
    except (OSError, UnicodeDecodeError, KeyFormatError) as exc:
        raise HeedError(f"{path}: not a verifier key: {exc}") from exc
    return text


def run_verify(args: argparse.Namespace) -> int:
    files = list(iter_log_files(args.logs))
    if not files:
        print("heed log verify: no log files found in " + ", ".join(args.logs), file=sys.stderr)
        return 1
    key = read_key(args.key)
    anchors = Anchors.read(args.checkpoint, key) if args.checkpoint else None
    states = set()
    progress = TerminalProgress("heed log verify", files)
    for path in files:
        progress.start_file(path)
        result = verify_log(path, progress, key=key, anchors=anchors)
        progress.close()
        ok = result.state == State.COMPLETE
        print(result.describe(), file=sys.stdout if ok else sys.stderr, flush=True)
        states.add(result.state)
        if args.replay:
            states.add(_replay(path))
    for problem in crawl_mismatches(files):  # workers of one cluster crawl: docs/scale.md
        print(problem, file=sys.stderr, flush=True)
        states.add(State.BROKEN)
    if State.BROKEN in states:
        return 1
    return EXIT_INCOMPLETE if State.INCOMPLETE in states else 0


def _replay(path: Path) -> State:
    """Print every robots.txt decision of ``path`` its archive does not reproduce."""
    from crawler.log.replay import replay_log

    replayed = State.COMPLETE
    for problem in replay_log(path):
        print(problem, file=sys.stderr, flush=True)
        replayed = State.BROKEN
    return replayed


def run_keygen(args: argparse.Namespace) -> int:
    from crawler.log.seal import write_key_pair

    public = write_key_pair(args.output, args.name)
    print(f"private key: {args.output} (keep it secret; HEED_LOG_SIGNING_KEY={args.output})")
    print(f"verifier key: {public} (publish it; heed log verify --key {public})")
    return 0


def run_prove(args: argparse.Namespace) -> int:
    from crawler.domains import registrable_domain
    from crawler.log.evidence import about
    from crawler.log.prove import prove

    if args.url is not None:
        document = prove(args.log, lambda record: record.get("url") == args.url)
    else:
        document = prove(args.log, about(registrable_domain(args.domain)))
    print(json.dumps(document, ensure_ascii=False, indent=1))
    return 0


def run_verify_proof(args: argparse.Namespace) -> int:
    from crawler.log.prove import verify_proof

    key = read_key(args.key)
    assert key is not None
    try:
        checked = verify_proof(args.proof, key)
    except HeedError as exc:
        print(f"heed log verify-proof: {exc}", file=sys.stderr)
        return 1
    cp = checked.checkpoint
    print(
        f"{args.proof}: OK: {len(checked.records)} records are in {cp.origin} "
        f"(tree size {cp.size}), signed by {key.split('+', 1)[0]}"
    )
    return 0
