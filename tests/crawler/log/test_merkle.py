"""The decision log's Merkle tree: published RFC 6962 vectors and a from-the-definition oracle."""

from __future__ import annotations

import hashlib

import pytest

from crawler.log.merkle import (
    EMPTY_ROOT,
    MAX_TREE_SIZE,
    MerkleTree,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_from_leaves,
    verify_consistency,
    verify_inclusion,
)

# The Certificate Transparency test tree (RFC 6962 test vectors, as published with
# transparency-dev/merkle): eight leaf inputs and the root hash at every size.
LEAF_INPUTS = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
ROOTS = [
    bytes.fromhex(h)
    for h in (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    )
]
LEAVES = [leaf_hash(data) for data in LEAF_INPUTS]


def _h(*hexes: str) -> list[bytes]:
    return [bytes.fromhex(h) for h in hexes]


# (leaf index from 0, tree size, audit path) from the same published vectors.
INCLUSION_VECTORS = [
    (0, 1, []),
    (
        0,
        8,
        _h(
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ),
    ),
    (
        5,
        8,
        _h(
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
    ),
    (2, 3, _h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")),
    (
        1,
        5,
        _h(
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ),
    ),
]

# (old size, new size, consistency proof) from the same published vectors.
CONSISTENCY_VECTORS = [
    (1, 1, []),
    (
        1,
        8,
        _h(
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ),
    ),
    (
        6,
        8,
        _h(
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
    ),
    (
        2,
        5,
        _h(
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ),
    ),
    (
        6,
        7,
        _h(
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
    ),
]


# An oracle written straight from the recursive definitions of RFC 9162 §2.1.1, §2.1.3.1
# and §2.1.4.1, slow and obvious, to check the iterative code against.
def _split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def _mth(leaves: list[bytes]) -> bytes:
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return hashlib.sha256(b"\x01" + _mth(leaves[:k]) + _mth(leaves[k:])).digest()


def _path(m: int, leaves: list[bytes]) -> list[bytes]:
    if len(leaves) == 1:
        return []
    k = _split(len(leaves))
    if m < k:
        return _path(m, leaves[:k]) + [_mth(leaves[k:])]
    return _path(m - k, leaves[k:]) + [_mth(leaves[:k])]


def _subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if whole else [_mth(leaves)]
    k = _split(n)
    if m <= k:
        return _subproof(m, leaves[:k], whole) + [_mth(leaves[k:])]
    return _subproof(m - k, leaves[k:], False) + [_mth(leaves[:k])]


def _leaves(n: int) -> list[bytes]:
    return [leaf_hash(f"record {i}".encode()) for i in range(n)]


def _flip(value: bytes, bit: int = 0) -> bytes:
    return bytes([value[0] ^ (1 << bit)]) + value[1:]


def test_leaf_and_node_hashes_are_domain_separated_sha256() -> None:
    assert leaf_hash(b"") == bytes.fromhex(
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )
    assert node_hash(LEAVES[0], LEAVES[1]) == ROOTS[2]
    assert leaf_hash(b"\x01" + LEAVES[0] + LEAVES[1]) != node_hash(LEAVES[0], LEAVES[1])


def test_the_tree_head_matches_the_published_root_at_every_size() -> None:
    tree = MerkleTree()
    assert (tree.size, tree.root()) == (0, EMPTY_ROOT) == (0, ROOTS[0])
    for size, leaf in enumerate(LEAVES, start=1):
        tree.append(leaf)
        assert (tree.size, tree.root()) == (size, ROOTS[size])
        assert root_from_leaves(LEAVES[:size]) == ROOTS[size]


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION_VECTORS)
def test_inclusion_proofs_match_the_published_vectors(
    index: int, size: int, path: list[bytes]
) -> None:
    assert inclusion_proof(LEAVES, index, size) == path
    assert verify_inclusion(LEAVES[index], index, size, path, ROOTS[size])


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY_VECTORS)
def test_consistency_proofs_match_the_published_vectors(
    old: int, new: int, proof: list[bytes]
) -> None:
    assert consistency_proof(LEAVES, old, new) == proof
    assert verify_consistency(old, new, proof, ROOTS[old], ROOTS[new])


def test_every_inclusion_proof_of_trees_up_to_40_leaves_matches_the_definition() -> None:
    leaves = _leaves(40)
    tree = MerkleTree()
    for size in range(1, 41):
        tree.append(leaves[size - 1])
        root = _mth(leaves[:size])
        assert tree.root() == root
        for index in range(size):
            proof = inclusion_proof(leaves, index, size)
            assert proof == _path(index, leaves[:size])
            assert verify_inclusion(leaves[index], index, size, proof, root)


def test_every_consistency_proof_of_trees_up_to_40_leaves_matches_the_definition() -> None:
    leaves = _leaves(40)
    for new in range(1, 41):
        new_root = _mth(leaves[:new])
        for old in range(1, new + 1):
            proof = consistency_proof(leaves, old, new)
            assert proof == _subproof(old, leaves[:new], True)
            assert verify_consistency(old, new, proof, _mth(leaves[:old]), new_root)


def test_a_tampered_inclusion_claim_fails_for_every_index_of_trees_up_to_24_leaves() -> None:
    leaves = _leaves(24)
    roots = [_mth(leaves[:size]) for size in range(25)]
    for size in range(1, 25):
        root = roots[size]
        for index in range(size):
            leaf, proof = leaves[index], inclusion_proof(leaves, index, size)
            assert not verify_inclusion(_flip(leaf), index, size, proof, root)
            assert not verify_inclusion(_flip(leaf, 7), index, size, proof, root)
            assert not verify_inclusion(leaf, index, size, proof, _flip(root))
            assert not verify_inclusion(leaf, index, size, [*proof, root], root)
            assert not verify_inclusion(leaf, index, size, [root, *proof], root)
            # Against the checkpoint of any other size the record's proof fails.
            for other in range(index + 1, 25):
                if other != size:
                    assert not verify_inclusion(leaf, index, other, proof, roots[other])
            for wrong_index in {index - 1, index + 1, index ^ 2} - {index}:
                assert not verify_inclusion(leaf, wrong_index, size, proof, root)
            for i in range(len(proof)):
                bent = [*proof[:i], _flip(proof[i], 3), *proof[i + 1 :]]
                assert not verify_inclusion(leaf, index, size, bent, root)
            if proof:
                assert not verify_inclusion(leaf, index, size, proof[:-1], root)


def test_a_tampered_consistency_claim_fails() -> None:
    leaves = _leaves(24)
    roots = [_mth(leaves[:size]) for size in range(25)]
    for new in range(2, 25):
        new_root = roots[new]
        for old in range(1, new):
            old_root, proof = roots[old], consistency_proof(leaves, old, new)
            assert not verify_consistency(old, new, proof, new_root, old_root)
            assert not verify_consistency(old, new, proof, _flip(old_root), new_root)
            assert not verify_consistency(old, new, proof, old_root, _flip(new_root))
            assert not verify_consistency(old, new, [], old_root, new_root)
            assert not verify_consistency(old, new, [*proof, new_root], old_root, new_root)
            for other in range(old + 1, 25):
                if other != new:
                    assert not verify_consistency(old, other, proof, old_root, roots[other])
            for i in range(len(proof)):
                bent = [*proof[:i], _flip(proof[i], 4), *proof[i + 1 :]]
                assert not verify_consistency(old, new, bent, old_root, new_root)


def test_a_log_that_shrank_or_rewrote_history_is_not_consistent() -> None:
    leaves = _leaves(10)
    rewritten = [*leaves[:3], leaf_hash(b"another record"), *leaves[4:]]
    proof = consistency_proof(rewritten, 5, 10)
    assert not verify_consistency(5, 10, proof, _mth(leaves[:5]), _mth(rewritten))
    assert not verify_consistency(10, 5, proof, _mth(leaves), _mth(leaves[:5]))


def test_a_root_relabelled_with_a_larger_size_is_not_consistent() -> None:
    # The proof and both roots are genuine; only the claimed new size is doubled (RFC 9162
    # §2.1.4.2 step 6: the walk must end at the new tree's root node).
    for old, new, proof in CONSISTENCY_VECTORS[1:]:
        assert not verify_consistency(old, new * 2, proof, ROOTS[old], ROOTS[new])


def test_trivial_consistency_cases_follow_the_rfc() -> None:
    root = _mth(_leaves(3))
    assert verify_consistency(0, 3, [], EMPTY_ROOT, root)
    assert verify_consistency(3, 3, [], root, root)
    assert not verify_consistency(3, 3, [], root, _flip(root))
    assert not verify_consistency(3, 3, [root], root, root)
    assert not verify_consistency(0, 3, [root], EMPTY_ROOT, root)


def test_malformed_inclusion_input_is_false_not_an_error() -> None:
    leaf, root = LEAVES[0], ROOTS[1]
    assert verify_inclusion(leaf, 0, 1, [], root)
    assert not verify_inclusion(leaf[:31], 0, 1, [], root[:31])
    assert not verify_inclusion(leaf, 0, 0, [], root)
    assert not verify_inclusion(leaf, 1, 1, [], root)
    assert not verify_inclusion(leaf, -1, 1, [], root)
    assert not verify_inclusion(leaf, 0, MAX_TREE_SIZE + 1, [], root)
    assert not verify_inclusion(leaf, 0, 2, [b"short"], root)
    assert not verify_inclusion(leaf, 0, 2**64 - 1, [root] * 65, root)


def test_proofs_refuse_impossible_positions() -> None:
    with pytest.raises(ValueError, match="leaf index"):
        inclusion_proof(LEAVES, 8, 8)
    with pytest.raises(ValueError, match="tree size"):
        inclusion_proof(LEAVES, 0, 9)
    with pytest.raises(ValueError, match="tree size"):
        inclusion_proof(LEAVES, 0, 0)
    with pytest.raises(ValueError, match="old size"):
        consistency_proof(LEAVES, 5, 4)


def test_the_tree_accepts_only_32_byte_leaf_hashes() -> None:
    tree = MerkleTree()
    with pytest.raises(ValueError, match="32 bytes"):
        tree.append(b"a record, not its hash")
    assert tree.size == 0


def test_proofs_in_a_large_tree_verify_against_the_incremental_head() -> None:
    leaves = _leaves(70_001)
    tree = MerkleTree()
    for leaf in leaves:
        tree.append(leaf)
    root = tree.root()
    assert root_from_leaves(leaves) == root
    for index in (0, 1, 65_535, 65_536, 69_999, 70_000):
        proof = inclusion_proof(leaves, index, len(leaves))
        assert len(proof) <= 17
        assert verify_inclusion(leaves[index], index, len(leaves), proof, root)
    proof = consistency_proof(leaves, 65_536, 70_001)
    assert verify_consistency(65_536, 70_001, proof, root_from_leaves(leaves[:65_536]), root)
