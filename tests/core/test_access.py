"""Galaxy access control (core): the file's format, address rules, signatures on /auth, and reloading.

Keys and certificates are made here with `cryptography`; the certificate printed in the Galaxy document is corrupt
(one test shows it is refused with a clear message).
"""

from __future__ import annotations

import base64
import logging
import os
import subprocess
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from backoffice.core.auth.access import (
    ACCESS_FILE_NAME,
    AccessConfigError,
    AccessControlFile,
    AccessPolicy,
    SignatureCheck,
    access_file_in,
    signed_messages_for,
)

# -- keys and files ---------------------------------------------------------------------------------


def _certificate(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, *, expired: bool = False) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "terminal")])
    now = datetime.now(UTC)
    start, end = (now - timedelta(days=400), now - timedelta(days=30)) if expired else (now - timedelta(days=1),
                                                                                         now + timedelta(days=365))
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


@pytest.fixture(scope="module")
def key_a() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def key_b() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=3072)


def _sign(key: rsa.RSAPrivateKey, message: bytes, *, pss: bool = False) -> str:
    scheme: padding.AsymmetricPadding = (
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH) if pss
        else padding.PKCS1v15())
    return base64.b64encode(key.sign(message, scheme, hashes.SHA256())).decode()


def _file(*rules: str) -> bytes:
    body = "\n".join(f"            {rule}" for rule in rules)
    return (f"<WebService>\n    <Config>\n        <AccessControl>\n{body}\n"
            "        </AccessControl>\n    </Config>\n</WebService>\n").encode()


def _key_rule(pem: str, indent: str = "") -> str:
    # Laid out like the Galaxy document: the PEM on its own lines, trailing spaces after the END line.
    lines = pem.strip().splitlines()
    lines[-1] += "       "
    return '<AccessRule Type="PublicKey">\n' + "\n".join(indent + line for line in lines) + "\n</AccessRule>"


def _ip_rule(access: str, entries: str) -> str:
    return f'<AccessRule Type="ClientIP" Access="{access}">{entries}</AccessRule>'


def _policy(*rules: str) -> AccessPolicy:
    return AccessPolicy.parse(_file(*rules), source="WebService.config")


def _refused(data: bytes) -> str:
    with pytest.raises(AccessConfigError) as caught:
        AccessPolicy.parse(data, source="/etc/bo/WebService.config")
    message = str(caught.value)
    assert message.startswith("/etc/bo/WebService.config"), message
    return message


# -- parsing ----------------------------------------------------------------------------------------


def test_the_documents_ip_example_parses_as_written() -> None:
    policy = AccessPolicy.parse(b"""<WebService>
    <Config>
        <AccessControl>
            <AccessRule Type="ClientIP" Access="Allow">
            85.20.1.100,
            102.76.*
            </AccessRule>
        </AccessControl>
    </Config>
</WebService>""")
    assert not policy.requires_signature
    assert policy.client_allowed("85.20.1.100")
    assert policy.client_allowed("102.76.200.3")
    assert not policy.client_allowed("85.20.1.101")
    assert not policy.client_allowed("102.77.0.1")


def test_a_certificate_laid_out_like_the_document_registers_its_key(key_a: rsa.RSAPrivateKey) -> None:
    policy = _policy(_key_rule(_certificate(key_a), indent="    "), "<!-- the terminal in Athens -->")
    assert policy.requires_signature
    assert len(policy.public_keys) == 1
    assert policy.public_keys[0].line == 4
    assert policy.verify_signature(b"/auth?username=a&password=b", _sign(key_a, b"/auth?username=a&password=b"))
    # The summary names the key by fingerprint, never by its material.
    summary = policy.summary()
    assert policy.public_keys[0].fingerprint[:16] in summary
    assert "MII" not in summary


def test_a_bare_public_key_or_the_base64_of_a_der_certificate_is_accepted_too(key_a: rsa.RSAPrivateKey) -> None:
    spki = key_a.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    der = x509.load_pem_x509_certificate(_certificate(key_a).encode()).public_bytes(serialization.Encoding.DER)
    bare = base64.encodebytes(der).decode()
    for rule in (_key_rule(spki), f'<AccessRule Type="PublicKey">{bare}</AccessRule>'):
        policy = _policy(rule)
        assert policy.verify_signature(b"x", _sign(key_a, b"x"))


def test_empty_file_structure_means_no_rules_and_values_are_case_insensitive() -> None:
    assert not AccessPolicy.parse(b"<WebService/>").restricts_addresses
    assert not AccessPolicy.parse(b"<WebService><Config><AccessControl/></Config></WebService>").requires_signature
    policy = _policy(_ip_rule("deny", "1.2.3.4"), '<AccessRule Type="clientip" Access="ALLOW">1.2.3.0/24</AccessRule>')
    assert policy.client_allowed("1.2.3.5")
    assert not policy.client_allowed("1.2.3.4")


def test_the_certificate_printed_in_the_galaxy_document_is_refused_clearly() -> None:
    # The Galaxy Web API document (../shared/seeds/003_849c441091b33dc1.txt), kept with the tests.
    seed = Path(__file__).parents[1] / "seeds" / "galaxy_web_api.txt"
    lines = seed.read_text(encoding="utf-8").splitlines()
    xml = "\n".join(lines[26:57]).encode()  # L27-57: <WebService> ... </WebService>
    assert xml.startswith(b"<WebService>") and xml.rstrip().endswith(b"</WebService>")
    message = _refused(xml)
    assert "line 4" in message and "AccessRule #1" in message and "certificate cannot be read" in message
    assert "MIID" not in message  # the material itself is not echoed


@pytest.mark.parametrize(("data", "expected"), [
    (b"", "the file is empty"),
    (b"<WebService><Config>", "Malformed XML"),
    (b'<!DOCTYPE x [<!ENTITY e "boom">]><WebService/>', "DOCTYPE"),
    (b"<Config/>", "the root element is <Config>; expected <WebService>"),
    (b"<WebService><Config><AccesControl/></Config></WebService>", "unexpected element <AccesControl>"),
    (b"<WebService><Config>rules</Config></WebService>", "<Config> holds text"),
    (_file('<AccessRule Type="Certificate">x</AccessRule>'), 'line 4, AccessRule #1: unknown Type "Certificate"'),
    (_file('<AccessRule Access="Allow">1.2.3.4</AccessRule>'), "no Type attribute"),
    (_file('<AccessRule Type="ClientIP" Access="Permit">1.2.3.4</AccessRule>'), 'unknown Access "Permit"'),
    (_file('<AccessRule Type="ClientIP">1.2.3.4</AccessRule>'), 'needs Access="Allow" or Access="Deny"'),
    (_file('<AccessRule Type="ClientIP" Access="Allow" Mode="x">1.2.3.4</AccessRule>'), "unknown attribute(s) Mode"),
    (_file('<AccessRule Type="PublicKey" Access="Allow">x</AccessRule>'), "Access applies only to ClientIP"),
    (_file('<AccessRule Type="PublicKey">   </AccessRule>'), "the PublicKey rule is empty"),
    (_file('<AccessRule Type="PublicKey"/>'), "the PublicKey rule is empty"),
    (_file('<AccessRule Type="PublicKey">not a key at all</AccessRule>'), "nor the base64 of a DER"),
    (_file('<AccessRule Type="PublicKey">-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'
           '</AccessRule>'), "the certificate cannot be read"),
    (_file('<AccessRule Type="ClientIP" Access="Allow"> , ,\n </AccessRule>'), "lists no addresses"),
    (_file('<AccessRule Type="ClientIP" Access="Allow"><Ip>1.2.3.4</Ip></AccessRule>'), "holds text only"),
    (_file(_ip_rule("Allow", "1.2.3.4,\n 300.1.1.1")), 'line 4: bad address entry "300.1.1.1"'),
    (_file(_ip_rule("Allow", "102.76*")), 'bad address entry "102.76*"'),
    (_file(_ip_rule("Allow", "102.*.5")), "a short mask must end in *"),
    (_file(_ip_rule("Allow", "10.01.*")), '"01" is neither an octet'),
    (_file(_ip_rule("Deny", "10.0.0.1/8")), "did you mean 10.0.0.0/8?"),
    (_file(_ip_rule("Deny", "fe80::*")), "a * mask is an IPv4 address"),
    (_file(_ip_rule("Deny", "host.example.com")), "not an IPv4 or IPv6 address"),
    (b"<WebService>" + b" " * (1024 * 1024) + b"</WebService>", "larger than"),
])
def test_each_kind_of_bad_file_is_refused_with_file_rule_and_reason(data: bytes, expected: str) -> None:
    assert expected in _refused(data)


def test_keys_that_cannot_sign_galaxy_requests_are_refused(key_a: rsa.RSAPrivateKey) -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    assert "1024 bits; at least 2048" in _refused(_file(_key_rule(_certificate(weak))))
    assert "only RSA keys" in _refused(_file(_key_rule(_certificate(ec.generate_private_key(ec.SECP256R1())))))
    private = key_a.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()).decode()
    message = _refused(_file(_key_rule(private)))
    assert "never put a private key in this file" in message
    assert "MII" not in message
    two = _certificate(key_a) + _certificate(key_a)
    assert "holds 2 PEM blocks" in _refused(_file(_key_rule(two)))


# -- addresses --------------------------------------------------------------------------------------


def test_without_ip_rules_every_address_is_allowed_even_an_unparseable_one() -> None:
    policy = AccessPolicy.empty()
    for ip in ("1.2.3.4", "::1", "testclient", None, ""):
        assert policy.client_allowed(ip)


def test_allow_lists_exact_addresses_masks_and_networks() -> None:
    policy = _policy(_ip_rule("Allow", "85.20.1.100,10.*.*.5\n\t192.168.0.0/16 ; 2001:db8::/32,fe80::1 2001:DB8:0::7"))
    for ip in ("85.20.1.100", "10.200.3.5", "192.168.44.1", "2001:db8:ffff::1", "fe80::0:1", "[fe80::1]",
               "fe80::1%eth0"):
        assert policy.client_allowed(ip), ip
    for ip in ("85.20.1.10", "10.200.3.6", "192.169.0.1", "2001:db9::1", "fe80::2", "127.0.0.1", "::1"):
        assert not policy.client_allowed(ip), ip


def test_deny_wins_and_deny_alone_allows_everyone_else() -> None:
    both = _policy(_ip_rule("Allow", "102.76.*"), _ip_rule("Deny", "102.76.9.9, 102.76.10.0/24"))
    assert both.client_allowed("102.76.9.8")
    assert not both.client_allowed("102.76.9.9")
    assert not both.client_allowed("102.76.10.77")
    assert not both.client_allowed("8.8.8.8")
    deny_only = _policy(_ip_rule("Deny", "10.*"))
    assert not deny_only.client_allowed("10.1.2.3")
    assert deny_only.client_allowed("11.1.2.3")
    assert deny_only.client_allowed("2001:db8::1")


def test_a_star_allows_every_address_and_several_allow_rules_add_up() -> None:
    assert _policy(_ip_rule("Allow", "*")).client_allowed("2001:db8::1")
    policy = _policy(_ip_rule("Allow", "1.1.1.1"), _ip_rule("Allow", "2.2.2.2"))
    assert policy.client_allowed("1.1.1.1") and policy.client_allowed("2.2.2.2")
    assert not policy.client_allowed("3.3.3.3")


def test_ipv4_mapped_ipv6_addresses_match_their_ipv4_rules_both_ways() -> None:
    policy = _policy(_ip_rule("Allow", "85.20.1.100, 102.76.*, ::ffff:7.7.7.7"), _ip_rule("Deny", "102.76.1.1"))
    assert policy.client_allowed("::ffff:85.20.1.100")
    assert policy.client_allowed("::ffff:102.76.3.4")
    assert not policy.client_allowed("::ffff:102.76.1.1")  # the IPv4 deny applies to the mapped form
    assert policy.client_allowed("7.7.7.7")  # a mapped entry matches the plain IPv4 peer
    assert not policy.client_allowed("::ffff:85.20.1.101")


def test_with_ip_rules_an_address_that_cannot_be_read_is_refused() -> None:
    policy = _policy(_ip_rule("Deny", "10.0.0.1"))
    for ip in ("testclient", None, "", "not-an-ip"):
        assert not policy.client_allowed(ip)


# -- signatures -------------------------------------------------------------------------------------


URI = b"/auth?username=admin&password=p%C3%A4ss"
ABSOLUTE = "http://127.0.0.1:8000/auth?username=admin&password=p%C3%A4ss"
BODY = b'{"username":"admin","password":"secret"}'


def test_a_get_is_signed_over_the_raw_uri_or_the_absolute_url(key_a: rsa.RSAPrivateKey) -> None:
    policy = _policy(_key_rule(_certificate(key_a)))
    signed = signed_messages_for("GET", URI, ABSOLUTE, b"")
    assert signed == [URI, ABSOLUTE.encode()]
    assert policy.check_signature(signed, _sign(key_a, URI)) is SignatureCheck.VALID
    assert policy.check_signature(signed, _sign(key_a, ABSOLUTE.encode())) is SignatureCheck.VALID
    # The decoded URI is not what was sent, so it is not what may be signed.
    assert policy.check_signature(signed, _sign(key_a, "/auth?username=admin&password=päss".encode())) \
        is SignatureCheck.MISMATCH


def test_a_post_is_signed_over_its_body_byte_for_byte(key_a: rsa.RSAPrivateKey) -> None:
    policy = _policy(_key_rule(_certificate(key_a)))
    signed = signed_messages_for("POST", b"/auth", "http://h/auth", BODY)
    assert signed == [BODY]
    assert policy.verify_signature(signed, _sign(key_a, BODY))
    assert not policy.verify_signature(signed, _sign(key_a, b"/auth"))  # the URI does not stand in for a body
    assert not policy.verify_signature(signed_messages_for("POST", b"/auth", "", BODY + b" "), _sign(key_a, BODY))
    # A POST with credentials only in the query string signs its URI.
    empty = signed_messages_for("post", URI, ABSOLUTE, b"")
    assert policy.verify_signature(empty, _sign(key_a, URI))


def test_wrong_key_tampered_message_missing_and_malformed_headers_fail(key_a: rsa.RSAPrivateKey,
                                                                       key_b: rsa.RSAPrivateKey) -> None:
    policy = _policy(_key_rule(_certificate(key_a)))
    good = _sign(key_a, URI)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert policy.check_signature(URI, _sign(other, URI)) is SignatureCheck.MISMATCH
    assert policy.check_signature(URI, _sign(key_b, URI)) is SignatureCheck.MISMATCH  # other size, skipped
    assert policy.check_signature(URI.replace(b"admin", b"admim"), good) is SignatureCheck.MISMATCH
    assert policy.check_signature(URI, None) is SignatureCheck.MISSING
    assert policy.check_signature(URI, "  ") is SignatureCheck.MISSING
    assert policy.check_signature(URI, "not base64 at all!") is SignatureCheck.MALFORMED
    assert policy.check_signature(URI, "ünïcode") is SignatureCheck.MALFORMED
    assert policy.check_signature(URI, "A" * 5000) is SignatureCheck.MALFORMED
    flipped = bytearray(base64.b64decode(good))
    flipped[-1] ^= 1
    assert policy.check_signature(URI, base64.b64encode(bytes(flipped)).decode()) is SignatureCheck.MISMATCH
    for bad in (None, "x", _sign(other, URI)):
        assert policy.verify_signature(URI, bad) is False


def test_pss_url_safe_base64_and_line_breaks_are_accepted(key_a: rsa.RSAPrivateKey) -> None:
    policy = _policy(_key_rule(_certificate(key_a)))
    assert policy.check_signature(URI, _sign(key_a, URI, pss=True)) is SignatureCheck.VALID
    url_safe = _sign(key_a, URI).replace("+", "-").replace("/", "_").rstrip("=")
    assert policy.check_signature(URI, url_safe) is SignatureCheck.VALID
    wrapped = base64.encodebytes(base64.b64decode(_sign(key_a, URI))).decode()  # 76-column lines
    assert policy.check_signature(URI, wrapped) is SignatureCheck.VALID


def test_any_of_two_registered_certificates_verifies(key_a: rsa.RSAPrivateKey, key_b: rsa.RSAPrivateKey) -> None:
    policy = _policy(_key_rule(_certificate(key_a)), _key_rule(_certificate(key_b)))
    assert len(policy.public_keys) == 2
    assert policy.public_keys[0].fingerprint != policy.public_keys[1].fingerprint
    assert policy.verify_signature([b"other", URI], _sign(key_a, URI))
    assert policy.verify_signature([b"other", URI], _sign(key_b, URI))
    assert not policy.verify_signature([b"other"], _sign(key_b, URI))


def test_an_expired_certificate_still_registers_its_key_with_a_warning(key_a: rsa.RSAPrivateKey,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="backoffice.access"):
        policy = _policy(_key_rule(_certificate(key_a, expired=True)))
    assert policy.verify_signature(URI, _sign(key_a, URI))
    assert policy.public_keys[0].not_after is not None and policy.public_keys[0].not_after < datetime.now(UTC)
    assert any("expired on" in record.getMessage() and "still accepted" in record.getMessage()
               for record in caplog.records)


def test_without_a_public_key_no_signature_is_required() -> None:
    policy = _policy(_ip_rule("Allow", "*"))
    assert not policy.requires_signature
    assert policy.check_signature(URI, None) is SignatureCheck.NOT_REQUIRED
    assert policy.verify_signature(URI, None)


def test_the_openssl_commands_in_the_user_guide_make_accepted_signatures(tmp_path: Path) -> None:
    def sh(script: str) -> str:
        done = subprocess.run(["sh", "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True)
        return done.stdout.strip()

    # The commands as docs/galaxy_access.md prints them.
    sh('openssl req -x509 -newkey rsa:3072 -sha256 -days 3650 -nodes '
       '-keyout terminal.key -out terminal.crt -subj "/CN=terminal-1" 2>/dev/null')
    get_sig = sh("URI='/auth?username=admin&password=secret'\n"
                 "printf '%s' \"$URI\" | openssl dgst -sha256 -sign terminal.key | openssl base64 -A")
    (tmp_path / "body.json").write_bytes(b'{"username":"admin","password":"secret"}')
    post_sig = sh("openssl dgst -sha256 -sign terminal.key body.json | openssl base64 -A")
    pss_sig = sh("openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:-1 "
                 "-sign terminal.key body.json | openssl base64 -A")
    policy = _policy(_key_rule((tmp_path / "terminal.crt").read_text()))
    get = signed_messages_for("GET", b"/auth?username=admin&password=secret", "http://localhost:8000/auth?"
                              "username=admin&password=secret", b"")
    post = signed_messages_for("POST", b"/auth", "http://localhost:8000/auth", (tmp_path / "body.json").read_bytes())
    assert policy.verify_signature(get, get_sig)
    assert policy.verify_signature(post, post_sig)
    assert policy.verify_signature(post, pss_sig)
    assert not policy.verify_signature(post, get_sig)


# -- the file and reloading -------------------------------------------------------------------------


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _write(path: Path, data: bytes) -> None:
    """Write like an editor that saves in place, and make sure the change shows in the file's mtime."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_bytes(data)
    if path.stat().st_mtime_ns == before:  # a coarse clock: move the mtime on, as a later save would
        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))


def test_the_file_lives_in_the_configuration_directory(tmp_path: Path) -> None:
    access = access_file_in(tmp_path)
    assert access.path == tmp_path / ACCESS_FILE_NAME == tmp_path / "WebService.config"


def test_a_missing_file_is_no_rules_and_a_bad_file_stops_the_start(tmp_path: Path) -> None:
    path = tmp_path / "WebService.config"
    policy = AccessControlFile(path).load()
    assert not policy.requires_signature and not policy.restricts_addresses
    path.write_bytes(_file(_ip_rule("Allow", "1.2.3.4, 1.2.3")))
    with pytest.raises(AccessConfigError, match=r"WebService\.config, line 4: bad address entry \"1\.2\.3\""):
        AccessControlFile(path).load()
    # Asking for the policy before load() is the same start-up check, not a silent "no rules".
    with pytest.raises(AccessConfigError):
        AccessControlFile(path).current()


def test_a_changed_file_is_reloaded(tmp_path: Path, key_a: rsa.RSAPrivateKey) -> None:
    path = tmp_path / "WebService.config"
    path.write_bytes(_file(_ip_rule("Allow", "1.1.1.1")))
    access = AccessControlFile(path, check_interval=0)
    first = access.load()
    assert access.current() is first  # unchanged: the same object, nothing re-read
    _write(path, _file(_ip_rule("Allow", "2.2.2.2"), _key_rule(_certificate(key_a))))
    second = access.current()
    assert second is not first
    assert second.client_allowed("2.2.2.2") and not second.client_allowed("1.1.1.1")
    assert second.requires_signature
    # Replaced by rename (how many editors and tools save) with the very same size and mtime: the inode tells.
    replacement = tmp_path / "new.config"
    replacement.write_bytes(_file(_ip_rule("Allow", "3.3.3.3"), _key_rule(_certificate(key_a))))
    stat = path.stat()
    assert replacement.stat().st_size == stat.st_size
    os.utime(replacement, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(replacement, path)
    assert access.current().client_allowed("3.3.3.3")


def test_a_bad_edit_keeps_the_last_good_policy_and_is_logged_once(tmp_path: Path,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "WebService.config"
    path.write_bytes(_file(_ip_rule("Allow", "1.1.1.1")))
    access = AccessControlFile(path, check_interval=0)
    good = access.load()
    with caplog.at_level(logging.ERROR, logger="backoffice.access"):
        _write(path, _file(_ip_rule("Allow", "1.1.1.1"), '<AccessRule Type="ClientIP" Access="Maybe">2.2.2.2'))
        assert access.current() is good
        _write(path, _file(_ip_rule("Allow", "1.1.1.1"), '<AccessRule Type="ClientIP" Access="Maybe">2.2.2.2</'
                           'AccessRule>'))
        assert access.current() is good
        assert access.current() is good
    errors = [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 2, errors  # one per bad version, not one per request
    assert "NOT reloaded" in errors[0] and "Malformed XML" in errors[0]
    assert 'unknown Access "Maybe"' in errors[1] and str(path) in errors[1]
    _write(path, _file(_ip_rule("Allow", "2.2.2.2")))
    assert access.current().client_allowed("2.2.2.2")


def test_a_deleted_file_means_no_rules_as_at_start(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "WebService.config"
    path.write_bytes(_file(_ip_rule("Deny", "1.1.1.1")))
    access = AccessControlFile(path, check_interval=0)
    assert not access.load().client_allowed("1.1.1.1")
    path.unlink()
    with caplog.at_level(logging.WARNING, logger="backoffice.access"):
        assert access.current().client_allowed("1.1.1.1")
    assert any("was removed" in record.getMessage() for record in caplog.records)
    path.write_bytes(_file(_ip_rule("Deny", "1.1.1.1")))
    assert not access.current().client_allowed("1.1.1.1")


def test_the_file_is_looked_at_no_more_than_once_per_interval(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "WebService.config"
    path.write_bytes(_file(_ip_rule("Allow", "1.1.1.1")))
    clock = _Clock()
    access = AccessControlFile(path, clock=clock)  # the default interval, about a second
    access.load()
    stats = _count_stats(monkeypatch, path)
    _write(path, _file(_ip_rule("Allow", "2.2.2.2")))
    stats.clear()
    for _ in range(100):
        assert access.current().client_allowed("1.1.1.1")
    clock.now += 0.5
    assert access.current().client_allowed("1.1.1.1")
    assert stats == []
    clock.now += 0.6
    assert access.current().client_allowed("2.2.2.2")
    assert len(stats) == 1


def _count_stats(monkeypatch: pytest.MonkeyPatch, path: Path) -> list[str]:
    seen: list[str] = []
    real: Callable[..., os.stat_result] = os.stat

    def counting(target: object, *args: object, **kwargs: object) -> os.stat_result:
        if str(target) == str(path):
            seen.append(str(target))
        return real(target, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "stat", counting)
    return seen


def test_threads_see_either_the_old_or_the_new_policy_while_the_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "WebService.config"
    versions = [_file(_ip_rule("Allow", f"10.0.0.{n}")) for n in range(1, 21)]
    path.write_bytes(versions[0])
    access = AccessControlFile(path, check_interval=0)
    access.load()
    problems: list[BaseException] = []
    stop = threading.Event()

    def reader() -> None:
        try:
            while not stop.is_set():
                policy = access.current()
                allowed = [n for n in range(1, 21) if policy.client_allowed(f"10.0.0.{n}")]
                assert len(allowed) == 1, allowed
        except BaseException as exc:  # noqa: B036 - handed to the main thread
            problems.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    for data in versions[1:]:
        temporary = tmp_path / "next.config"
        temporary.write_bytes(data)
        os.replace(temporary, path)  # an atomic save, so a reader never sees half a file
    stop.set()
    for thread in threads:
        thread.join()
    assert problems == []
    assert access.current().client_allowed("10.0.0.20")
