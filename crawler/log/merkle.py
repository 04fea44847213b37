"""The decision log as a Merkle tree (RFC 9162): root, inclusion and consistency proofs.

Each record of the log is a leaf; a checkpoint signs the root at some size, and a proof
lets anyone holding a record, its index and the checkpoint check offline that the record is
in the log (inclusion), or that a later checkpoint extends an earlier one (consistency).
The crawl keeps only a ``MerkleTree`` (the O(log n) right edge); proofs are computed later
from the log's leaf hashes, never during the crawl.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

HASH_SIZE = 32
# A tree of fewer than 2**64 leaves has proofs of at most 64 hashes (RFC 9162 §2.1.3, §2.1.4).
MAX_TREE_SIZE = 2**64 - 1
MAX_PROOF_LENGTH = 64
# RFC 9162 §2.1.1: the hash of an empty tree is the hash of the empty string.
EMPTY_ROOT = hashlib.sha256(b"").digest()

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    """The hash of one leaf: SHA-256(0x00 || data) (RFC 9162 §2.1.1)."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node: SHA-256(0x01 || left || right) (RFC 9162 §2.1.1)."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


class MerkleTree:
    """An append-only tree that keeps only its right edge, so a crawl's memory stays flat.

    The edge holds the roots of the perfect subtrees the size decomposes into (one per set
    bit, largest first); the root of the whole tree folds them right to left, which is the
    tree RFC 9162 §2.1.1 defines by splitting at the largest power of two below the size.
    """

    __slots__ = ("_edge", "_size")

    def __init__(self) -> None:
        self._edge: list[bytes] = []
        self._size = 0

    @property
    def size(self) -> int:
        """How many leaves have been appended."""
        return self._size

    def append(self, leaf: bytes) -> None:
        """Add one leaf hash (see ``leaf_hash``) as the next leaf."""
        if len(leaf) != HASH_SIZE:
            raise ValueError(f"a leaf hash is {HASH_SIZE} bytes, not {len(leaf)}")
        if self._size == MAX_TREE_SIZE:
            raise ValueError("the tree is full")
        edge, carry, size = self._edge, leaf, self._size
        while size & 1:  # each trailing set bit is a perfect subtree the new leaf completes
            carry = node_hash(edge.pop(), carry)
            size >>= 1
        edge.append(carry)
        self._size += 1

    def root(self) -> bytes:
        """The tree head's root hash at the current size."""
        if not self._edge:
            return EMPTY_ROOT
        edge = self._edge
        acc = edge[-1]
        for left in reversed(edge[:-1]):
            acc = node_hash(left, acc)
        return acc


def root_from_leaves(leaf_hashes: Iterable[bytes]) -> bytes:
    """The root hash of the tree whose leaves have these hashes, in order."""
    tree = MerkleTree()
    for leaf in leaf_hashes:
        tree.append(leaf)
    return tree.root()


def _subtree_root(leaf_hashes: Sequence[bytes]) -> bytes:
    """The root of a non-empty run of leaves, one level at a time (each node hashed once).

    Pairing left to right and carrying an odd last node up unchanged builds the same tree as
    RFC 9162's split at the largest power of two, without recursion.
    """
    level = leaf_hashes
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) & 1:
            paired.append(level[-1])
        level = paired
    return level[0]


def _check_leaves(leaf_hashes: Sequence[bytes], size: int) -> None:
    if not 0 < size <= min(len(leaf_hashes), MAX_TREE_SIZE):
        raise ValueError(f"tree size {size} is not between 1 and {len(leaf_hashes)} leaves")


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int, size: int) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of the first ``size`` leaves.

    RFC 9162 §2.1.3.1 PATH, nearest sibling first: at each level, the sibling of the node
    over the leaf is the root of the run of leaves that node's sibling covers.
    """
    _check_leaves(leaf_hashes, size)
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is not in a tree of {size} leaves")
    proof: list[bytes] = []
    node, level = index, 0
    while (size - 1) >> level:  # more than one node at this level
        sibling = node ^ 1
        start = sibling << level
        if start < size:  # else the node is the level's odd last one and moves up unpaired
            proof.append(_subtree_root(leaf_hashes[start : min(start + (1 << level), size)]))
        node >>= 1
        level += 1
    return proof


def inclusion_proofs(
    leaf_hashes: Sequence[bytes], size: int, indices: Iterable[int]
) -> dict[int, list[bytes]]:
    """The audit paths of many leaves of one tree, each node hashed once in all.

    The same paths as ``inclusion_proof``: the tree's levels are built left to right with an
    odd last node carried up, so node ``j`` of level ``L`` is the root of the leaves
    ``j * 2**L`` up to ``(j + 1) * 2**L`` (or the end), the sibling RFC 9162 §2.1.3.1 needs.
    """
    _check_leaves(leaf_hashes, size)
    wanted = sorted(set(indices))
    if wanted and not 0 <= wanted[0] <= wanted[-1] < size:
        raise ValueError(f"a leaf index is not in a tree of {size} leaves")
    levels: list[Sequence[bytes]] = [leaf_hashes[:size]]
    while len(levels[-1]) > 1:
        level = levels[-1]
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) & 1:
            paired.append(level[-1])
        levels.append(paired)
    proofs: dict[int, list[bytes]] = {}
    for index in wanted:
        path = []
        for depth, level in enumerate(levels[:-1]):
            sibling = (index >> depth) ^ 1
            if sibling < len(level):
                path.append(level[sibling])
        proofs[index] = path
    return proofs


def _valid_hashes(*hashes: bytes) -> bool:
    return all(len(h) == HASH_SIZE for h in hashes)


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Whether ``proof`` shows leaf hash ``leaf`` at ``index`` in the tree ``(size, root)``.

    RFC 9162 §2.1.3.2. Anything malformed (sizes, lengths, a proof too long) is ``False``.
    """
    if not 0 <= index < size <= MAX_TREE_SIZE or len(proof) > MAX_PROOF_LENGTH:
        return False
    if not _valid_hashes(leaf, root, *proof):
        return False
    fn, sn, acc = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            acc = node_hash(p, acc)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            acc = node_hash(acc, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and acc == root


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int, new_size: int) -> list[bytes]:
    """The proof that the tree of ``new_size`` leaves extends the tree of ``old_size``.

    RFC 9162 §2.1.4.1 SUBPROOF, unrolled: walking down from the larger tree, each step
    records the subtree the smaller tree does not need, and the proof lists them bottom up.
    """
    _check_leaves(leaf_hashes, new_size)
    if not 0 <= old_size <= new_size:
        raise ValueError(f"old size {old_size} is not between 0 and {new_size}")
    if old_size in (0, new_size):
        return []
    steps: list[bytes] = []
    start, m, n, whole = 0, old_size, new_size, True
    while m != n:
        k = 1 << ((n - 1).bit_length() - 1)  # the largest power of two below n
        if m <= k:
            steps.append(_subtree_root(leaf_hashes[start + k : start + n]))
            n = k
        else:
            steps.append(_subtree_root(leaf_hashes[start : start + k]))
            start, m, n, whole = start + k, m - k, n - k, False
    if not whole:  # SUBPROOF(m, D[m], false) = {MTH(D[m])}
        steps.append(_subtree_root(leaf_hashes[start : start + m]))
    return steps[::-1]


def verify_consistency(
    old_size: int, new_size: int, proof: Sequence[bytes], old_root: bytes, new_root: bytes
) -> bool:
    """Whether ``proof`` shows the tree ``(new_size, new_root)`` extends ``(old_size, old_root)``.

    RFC 9162 §2.1.4.2. Anything malformed is ``False``.
    """
    if not 0 <= old_size <= new_size <= MAX_TREE_SIZE or len(proof) > MAX_PROOF_LENGTH:
        return False
    if not _valid_hashes(old_root, new_root, *proof):
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:  # every tree extends the empty one
        return not proof
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0
