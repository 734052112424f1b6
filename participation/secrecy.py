"""What polls and budgets share to keep a ballot secret once it is cast.

The design is the postal vote's double envelope (README, "Ballot secrecy"): while voting is open
a person's ballot lies in a sealed envelope beside their name on the roll; at the close the
envelopes are opened in a random order, in one transaction, into a box of ballots that carry no
person, no timestamp and no order of arrival, and the envelopes are destroyed.

- `seal` / `unseal`: AES-256-GCM under a key derived from SECRET_KEY (SECRET_KEY_FALLBACKS are
  tried when opening, so rotating the key loses no envelope). Every envelope of one matter is
  padded to the same size, so its length says nothing about what is inside. The `context` (e.g.
  ``poll:12``) is authenticated: an envelope copied to another matter does not open.
- `shuffled`: a random order from the operating system's generator, not Python's Mersenne
  Twister, whose state can be recovered from its output.
- `share_lock`: a voter's transaction holds the matter's row in SHARE mode; the count takes it
  FOR UPDATE, so it waits for every ballot in flight and every later one sees the poll closed.
- `envelopes_destroy`: rewrites the envelope table after the close (VACUUM FULL on PostgreSQL),
  so not even the dead row versions of opened envelopes stay in the live database files. On
  SQLite, `secure_delete` (set for every connection in participation.apps) zeroes deleted rows.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
from collections.abc import Iterable, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import DatabaseError, connection, models, transaction

logger = logging.getLogger(__name__)

_VERSION = b"\x01"
_NONCE_BYTES = 12
_LENGTH_BYTES = 4
_KEY_PURPOSE = b"ruamkit:ballot-envelope:v1"


class EnvelopeBroken(Exception):
    """An envelope that no configured key opens: never counted silently, always reported."""


def _key(secret: str) -> bytes:
    return hmac.new(secret.encode(), _KEY_PURPOSE, hashlib.sha256).digest()


def _keys() -> list[bytes]:
    return [_key(settings.SECRET_KEY), *(_key(k) for k in settings.SECRET_KEY_FALLBACKS)]


def envelope_size(largest_payload: int) -> int:
    """The padded size for a matter whose largest possible ballot is this many bytes of JSON
    (`payload_size` of the fullest ballot): every envelope of the matter gets this size."""
    return -(-(largest_payload + _LENGTH_BYTES) // 256) * 256


def _encode(payload) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def payload_size(payload) -> int:
    """Bytes a payload takes inside an envelope, for working out a matter's `envelope_size`."""
    return len(_encode(payload))


def seal(payload, *, context: str, size: int) -> bytes:
    """Encrypt a JSON-serialisable ballot into an envelope of exactly `size` plaintext bytes."""
    data = _encode(payload)
    if len(data) + _LENGTH_BYTES > size:
        raise ValueError(f"ballot of {len(data)} bytes does not fit an envelope of {size}")
    padding = bytes(size - len(data) - _LENGTH_BYTES)
    padded = len(data).to_bytes(_LENGTH_BYTES, "big") + data + padding
    nonce = os.urandom(_NONCE_BYTES)
    return _VERSION + nonce + AESGCM(_keys()[0]).encrypt(nonce, padded, context.encode())


def unseal(envelope: bytes, *, context: str):
    """Open an envelope sealed for `context`. Raises EnvelopeBroken if no key opens it."""
    envelope = bytes(envelope)
    if envelope[:1] != _VERSION:
        raise EnvelopeBroken("unknown envelope version")
    nonce, sealed = envelope[1 : 1 + _NONCE_BYTES], envelope[1 + _NONCE_BYTES :]
    for key in _keys():
        try:
            padded = AESGCM(key).decrypt(nonce, sealed, context.encode())
        except InvalidTag:
            continue
        length = int.from_bytes(padded[:_LENGTH_BYTES], "big")
        return json.loads(padded[_LENGTH_BYTES : _LENGTH_BYTES + length])
    raise EnvelopeBroken(f"no key opens this envelope of {context}")


def shuffled(items: Iterable) -> list:
    """The items in a random order that nobody can predict or reconstruct."""
    items = list(items)
    secrets.SystemRandom().shuffle(items)
    return items


def share_lock(instance: models.Model) -> None:
    """Hold the row in SHARE mode until the transaction ends (PostgreSQL; a no-op on SQLite,
    where a writing transaction excludes every other one anyway).

    Many voters hold it at once; the count's FOR UPDATE waits for all of them. Caller is in a
    transaction.
    """
    if connection.vendor != "postgresql":
        return
    table = connection.ops.quote_name(instance._meta.db_table)
    column = connection.ops.quote_name(instance._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} WHERE {column} = %s FOR SHARE", [instance.pk])


def envelopes_destroy(models_: Sequence[type[models.Model]]) -> None:
    """Rewrite these tables without the dead row versions of opened envelopes (PostgreSQL).

    VACUUM cannot run inside a transaction, so inside one it waits for the commit. A failure is
    logged, not raised: the envelopes are already deleted, and the next close rewrites again.
    """
    if connection.vendor != "postgresql":
        return

    def rewrite():
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models_)
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM FULL {tables}")
        except DatabaseError:
            logger.exception("could not rewrite the envelope tables %s", tables)

    if connection.in_atomic_block:
        transaction.on_commit(rewrite)
    else:
        rewrite()
