"""TOTP through pyotp against RFC 6238 appendix B and RFC 4226, the replay window, and secrets as
stored before the move to pyotp."""

import base64
import hashlib

import pyotp
import pytest

from aftersales.core import totp

# RFC 6238 appendix B: the seeds are ASCII "1234567890" repeated to the digest's length
SEED_SHA1 = b"12345678901234567890"
SEED_SHA256 = b"12345678901234567890123456789012"
SEED_SHA512 = b"1234567890" * 6 + b"1234"
VECTORS = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


def b32(seed: bytes) -> str:
    return base64.b32encode(seed).decode()


@pytest.mark.parametrize(("t", "sha1", "sha256", "sha512"), VECTORS)
def test_it_matches_the_rfc_6238_vectors(t, sha1, sha256, sha512):
    assert totp.code_at(b32(SEED_SHA1), t, digits=8) == sha1
    assert totp.code_at(b32(SEED_SHA256), t, digits=8, digest=hashlib.sha256) == sha256
    assert totp.code_at(b32(SEED_SHA512), t, digits=8, digest=hashlib.sha512) == sha512


def test_it_matches_the_rfc_4226_hotp_vectors():
    want = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]
    assert [totp.code_for_step(b32(SEED_SHA1), n) for n in range(10)] == want


# Codes of the hand-written RFC 6238 code (before pyotp) for a secret as stored today (32 base32
# characters, 160 bits), at steps around now: they must still be accepted.
STORED_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
OLD_CODES = {56666666: "406058", 56666667: "661763", 56666668: "996875"}


@pytest.mark.parametrize(("step", "code"), OLD_CODES.items())
def test_codes_of_the_former_implementation_are_accepted(step, code):
    assert totp.code_for_step(STORED_SECRET, step) == code
    assert totp.match(STORED_SECRET, code, step * 30 + 5) == step
    assert totp.match(STORED_SECRET.lower(), f"{code[:3]} {code[3:]}", step * 30 + 35) == step  # drift
    assert totp.match(STORED_SECRET, code, step * 30 + 5, after_step=step) is None  # replay


def test_it_accepts_one_step_either_side_and_no_further():
    secret = b32(SEED_SHA1)
    now = 1_111_111_111
    step = totp.step_at(now)
    for offset in (-1, 0, 1):
        code = totp.code_at(secret, now + offset * 30)
        assert totp.match(secret, code, now) == step + offset
    for offset in (-2, 2):
        assert totp.match(secret, totp.code_at(secret, now + offset * 30), now) is None


def test_it_refuses_a_step_already_used():
    secret = totp.new_secret()
    now = 1_700_000_000
    code = totp.code_at(secret, now)
    used = totp.match(secret, code, now)
    assert used == totp.step_at(now)
    assert totp.match(secret, code, now, after_step=used) is None
    # the next step's code is still good
    assert totp.match(secret, totp.code_at(secret, now + 30), now, after_step=used) == used + 1


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "12 34 5x"])
def test_it_refuses_malformed_codes(typed):
    assert totp.match(totp.new_secret(), typed, 1_700_000_000) is None


def test_it_accepts_a_code_typed_with_a_blank():
    secret = totp.new_secret()
    code = totp.code_at(secret, 1_700_000_000)
    assert totp.match(secret, f"{code[:3]} {code[3:]}", 1_700_000_000) is not None


def test_it_makes_160_bit_base32_secrets():
    secret = totp.new_secret()
    assert len(secret) == 32 and len(totp.secret_bytes(secret)) == 20
    assert totp.secret_bytes(totp.grouped(secret).lower()) == totp.secret_bytes(secret)
    with pytest.raises(ValueError, match="base32"):
        totp.secret_bytes("not base32 !")
    with pytest.raises(ValueError, match="112 bits"):
        totp.secret_bytes("JBSWY3DPEHPK3PXP")  # 80 bits: refused at enrolment


def test_it_writes_the_provisioning_uri():
    uri = totp.provisioning_uri("JBSWY3DPEHPK3PXPJBSWY3DP", account="张伟@甲企业", issuer="aftersales-cert")
    assert uri.startswith("otpauth://totp/aftersales-cert:")
    assert " " not in uri
    app = pyotp.parse_uri(uri)  # as an authenticator app reads it
    assert (app.secret, app.name, app.issuer) == ("JBSWY3DPEHPK3PXPJBSWY3DP", "张伟@甲企业", "aftersales-cert")
    assert (app.digits, app.interval, app.digest().name) == (6, 30, "sha1")
