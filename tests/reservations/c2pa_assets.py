"""JPEGs signed with C2PA manifests, under a certificate chain generated on the spot."""

from __future__ import annotations

import datetime
import io
from typing import Any

import c2pa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.reservations import assets

CREATED = {
    "label": "c2pa.actions",
    "data": {
        "actions": [
            {
                "action": "c2pa.created",
                "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture",
            }
        ]
    },
}


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Heed tests"),
        ]
    )


def _usage(*, sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not sign,
        crl_sign=not sign,
        encipher_only=False,
        decipher_only=False,
    )


def _certificate(
    subject: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Name, issuer_key: Any, *, ca: bool
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .add_extension(_usage(sign=not ca), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if not ca:
        # The C2PA signer certificate profile: an EKU C2PA accepts (here emailProtection), not
        # a CA, issued by a CA named by its authority key identifier.
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        ).add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


def generated_signer() -> c2pa.C2paSignerInfo:
    """An ES256 signer whose chain (signer, root) is made afresh: no key leaves the process."""
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = _certificate("Heed test root", root_key, _name("Heed test root"), root_key, ca=True)
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = _certificate("Heed test signer", key, root.subject, root_key, ca=False)
    chain = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (leaf, root))
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, chain, pem, None)


def sign_jpeg(
    info: c2pa.C2paSignerInfo,
    assertions: list[dict[str, Any]],
    *,
    remote: str | None = None,
    image: bytes | None = None,
) -> bytes:
    """A JPEG (``image``, or a small one) signed with ``assertions`` after a created action."""
    manifest = {
        "claim_generator_info": [{"name": "heed-tests", "version": "1"}],
        "assertions": [CREATED, *assertions],
    }
    builder = c2pa.Builder(manifest)
    if remote is not None:
        builder.set_no_embed()
        builder.set_remote_url(remote)
    out = io.BytesIO()
    builder.sign(c2pa.Signer.from_info(info), "image/jpeg", io.BytesIO(image or assets.jpeg()), out)
    return out.getvalue()


def mining(
    entries: dict[str, dict[str, str]], label: str = "cawg.training-mining"
) -> dict[str, Any]:
    return {"label": label, "data": {"entries": entries}}
