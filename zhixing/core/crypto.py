"""Personal data encrypted at rest (等保 2.0 三级: 重要个人信息的存储保密性).

A value is stored as `<algorithm>:v1:<key id>:<base64(nonce | ciphertext | tag)>`:

- **SM4-GCM** (GB/T 32907 block cipher in GCM, as GB/T 39786 expects of commercial cryptography) when the
  installed `cryptography` and its OpenSSL offer it (`SM4_AVAILABLE`, probed once), else **AES-256-GCM**. Both
  are authenticated: a changed byte, a ciphertext moved to another column (the column is the associated data) or a
  wrong key is an error, never garbage. Both prefixes are always readable, so a server whose OpenSSL lacks SM4 can
  still read AES values, and the algorithm and key may change without a flag day.
- **Look-ups** go through a keyed hash beside the column (`LookupHashField`: HMAC-SHA256 under the separate
  `lookup` key): equality, uniqueness and the import's de-duplication by 身份证号 work without decrypting anything.
  The encrypted column itself refuses value look-ups (`filter(id_number=...)` raises), so none is silently empty.
- **Keys live outside the database**: `ZHIXING_DATA_KEY` (env) or the key file `ZHIXING_DATA_KEY_FILE` (default
  var/data.key, created 0600 on first use). Both hold `name:hex` entries, one per line (or comma separated):
  `lookup:<64 hex>` is the hash key; every other name is a data key id, and the *first* data key encrypts new
  values while all of them decrypt. A bare secret without names is taken as a master secret from which `lookup`
  and data key `k1` are derived. Tests derive their keys from SECRET_KEY. Rotation: `zhixing rotate_data_key`
  (docs/OPERATIONS.md, 密钥轮换).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from zhixing.core import keyfile

VERSION = "v1"
SM4 = "sm4gcm"
AES = "aesgcm"
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_BYTES = 32


class DataKeyError(RuntimeError):
    """A value cannot be decrypted: its key is missing, the key is wrong, or the value was altered."""


def _probe_sm4_gcm() -> bool:
    try:
        enc = Cipher(algorithms.SM4(bytes(16)), modes.GCM(bytes(NONCE_BYTES))).encryptor()
        enc.update(b"probe")
        enc.finalize()
    except (UnsupportedAlgorithm, AttributeError, ValueError):
        return False
    return True


SM4_AVAILABLE = _probe_sm4_gcm()
DEFAULT_ALGORITHM = SM4 if SM4_AVAILABLE else AES


def _derive(secret: bytes, label: str, length: int = KEY_BYTES) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=label.encode()).derive(secret)


@dataclass(frozen=True)
class Keyring:
    lookup: bytes
    data: dict[str, bytes]  # key id -> 32-byte secret, current first
    current: str
    source: str  # where the keys came from, for error messages

    def data_key(self, key_id: str) -> bytes:
        try:
            return self.data[key_id]
        except KeyError:
            raise DataKeyError(
                f"个人信息的数据密钥“{key_id}”不在密钥环中（{self.source}），无法解密身份证号、手机号。"
                "请从备份恢复该密钥（密钥轮换后旧密钥须保留到不再有用它加密的数据和备份）。"
            ) from None


def parse_keyring(text: str, source: str) -> Keyring:
    entries = [e.strip() for e in text.replace(",", "\n").splitlines() if e.strip()]
    if len(entries) == 1 and ":" not in entries[0]:
        master = entries[0].encode()
        return Keyring(
            _derive(master, "zhixing lookup"), {"k1": _derive(master, "zhixing data k1")}, "k1", source
        )
    lookup = b""
    data: dict[str, bytes] = {}
    for entry in entries:
        name, _, value = entry.partition(":")
        name = name.strip()
        try:
            secret = bytes.fromhex(value.strip())
        except ValueError:
            raise DataKeyError(f"数据密钥“{name}”不是十六进制（{source}）。") from None
        if len(secret) < KEY_BYTES or not name.isalnum():
            raise DataKeyError(f"数据密钥“{name}”格式不对（{source}）：应为“名称:64 位十六进制”。")
        if name == "lookup":
            lookup = secret
        else:
            data[name] = secret[:KEY_BYTES]
    if not lookup or not data:
        raise DataKeyError(f"数据密钥不完整（{source}）：需要 lookup 密钥和至少一个数据密钥。请从备份恢复。")
    return Keyring(lookup, data, next(iter(data)), source)


def new_keyring_text(key_id: str = "k1") -> str:
    return f"lookup:{secrets.token_hex(KEY_BYTES)}\n{key_id}:{secrets.token_hex(KEY_BYTES)}\n"


def key_file() -> Path:
    return Path(settings.ZHIXING_DATA_KEY_FILE)


_cache: dict[tuple[Any, ...], Keyring] = {}
_hmacs: dict[bytes, Any] = {}


def keyring() -> Keyring:
    """The keys, read once per configuration (a changed setting, e.g. in a test, is seen at once)."""
    configured = getattr(settings, "ZHIXING_DATA_KEY", "")
    testing = getattr(settings, "TESTING", False)
    marker = (configured, testing, settings.SECRET_KEY, settings.ZHIXING_DATA_KEY_FILE)
    ring = _cache.get(marker)
    if ring is None:
        if configured:
            ring = parse_keyring(configured, "环境变量 ZHIXING_DATA_KEY")
        elif testing:
            master = hashlib.sha256(b"zhixing-data-key:" + settings.SECRET_KEY.encode()).hexdigest()
            ring = parse_keyring(master, "测试密钥")
        else:
            path = key_file()
            ring = parse_keyring(keyfile.read_or_create(path, new_keyring_text), f"密钥文件 {path}")
        _cache.clear()
        _cache[marker] = ring
    return ring


def forget_keys() -> None:
    _cache.clear()
    _hmacs.clear()


# --- Encrypt and decrypt -------------------------------------------------------------------------------------


_ciphers: dict[tuple[str, bytes], Any] = {}


def _cipher_key(algorithm: str, secret: bytes) -> bytes:
    """The algorithm's key from the 32-byte data key: AES-256 uses it as is, SM4 (128-bit) a derived half. Cached,
    so a 60,000-row import derives nothing per row."""
    found = _ciphers.get((algorithm, secret))
    if found is None:
        found = secret if algorithm == AES else _derive(secret, "zhixing sm4", 16)
        _ciphers[(algorithm, secret)] = found
    return found


def encrypt(plain: str, context: str, *, key_id: str | None = None, algorithm: str | None = None) -> str:
    """`plain` encrypted under the current data key (or `key_id`), bound to `context` (e.g. "orgs.person.mobile")."""
    ring = keyring()
    kid = key_id or ring.current
    alg = algorithm or DEFAULT_ALGORITHM
    key = _cipher_key(alg, ring.data_key(kid))
    head = f"{alg}:{VERSION}:{kid}"
    aad = f"{head}|{context}".encode()
    nonce = secrets.token_bytes(NONCE_BYTES)
    data = plain.encode()
    if alg == AES:
        sealed = AESGCM(key).encrypt(nonce, data, aad)
    else:
        enc = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
        enc.authenticate_additional_data(aad)
        sealed = enc.update(data) + enc.finalize() + enc.tag
    return f"{head}:{base64.b64encode(nonce + sealed).decode('ascii')}"


def is_encrypted(value: str) -> bool:
    return value.startswith((f"{SM4}:{VERSION}:", f"{AES}:{VERSION}:"))


def key_id_of(value: str) -> str:
    return value.split(":", 3)[2] if is_encrypted(value) else ""


def decrypt(stored: str, context: str) -> str:
    alg, _, kid, body = stored.split(":", 3)
    key = _cipher_key(alg, keyring().data_key(kid))
    aad = f"{alg}:{VERSION}:{kid}|{context}".encode()
    try:
        raw = base64.b64decode(body, validate=True)
        nonce, sealed = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
        if alg == AES:
            return AESGCM(key).decrypt(nonce, sealed, aad).decode()
        dec = Cipher(algorithms.SM4(key), modes.GCM(nonce, sealed[-TAG_BYTES:])).decryptor()
        dec.authenticate_additional_data(aad)
        return (dec.update(sealed[:-TAG_BYTES]) + dec.finalize()).decode()
    except (InvalidTag, ValueError) as exc:
        raise DataKeyError(
            f"个人信息解密失败（{context}，密钥“{kid}”）：密钥与加密时所用的不同，或数据被改动。"
            "请检查 ZHIXING_DATA_KEY / 密钥文件是否为加密时所用的密钥。"
        ) from exc
    except UnsupportedAlgorithm as exc:
        raise DataKeyError("本机的 OpenSSL 不支持 SM4-GCM，无法解密以 SM4 加密的个人信息。") from exc


def lookup_hash(label: str, value: str | None) -> str | None:
    """The keyed hash that stands in for `value` in look-ups and unique constraints (None for an empty value).
    `label` keeps equal values of different kinds apart (a number as 手机号 and as something else)."""
    if not value:
        return None
    key = keyring().lookup
    base = _hmacs.get(key)
    if base is None:
        base = _hmacs[key] = hmac.new(key, digestmod=hashlib.sha256)
    h = base.copy()
    h.update(f"{label}\x00{value}".encode())
    return h.hexdigest()
