"""A self-signed certificate for every Naver host, made once per process."""

from __future__ import annotations

import atexit
import ipaddress
import shutil
import ssl
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

__all__ = ["CERT_NAMES", "certificate_files", "server_ssl_context"]

#: DNS names in the certificate (plus the IP address 127.0.0.1).
CERT_NAMES: tuple[str, ...] = (
    "*.naver.com",
    "naver.com",
    "*.news.naver.com",
    "*.sports.naver.com",
    "*.entertain.naver.com",
)

_lock = threading.Lock()
_files: tuple[Path, Path] | None = None


def _make(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "*.naver.com"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "fakenaver (tests only)"),
        ]
    )
    now = datetime.now(UTC)
    san = x509.SubjectAlternativeName(
        [x509.DNSName(n) for n in CERT_NAMES] + [x509.IPAddress(ipaddress.IPv4Address("127.0.0.1"))]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(san, critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_path = directory / "key.pem"
    cert_path = directory / "cert.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def certificate_files() -> tuple[Path, Path]:
    """(cert.pem, key.pem) in a temporary directory removed at exit; made on first call."""
    global _files
    with _lock:
        if _files is None:
            directory = Path(tempfile.mkdtemp(prefix="fakenaver-tls-"))
            atexit.register(shutil.rmtree, directory, ignore_errors=True)
            _files = _make(directory)
        return _files


def server_ssl_context() -> ssl.SSLContext:
    """A server-side TLS context with the fake certificate, speaking HTTP/1.1 only."""
    cert_path, key_path = certificate_files()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    context.set_alpn_protocols(["http/1.1"])
    return context
