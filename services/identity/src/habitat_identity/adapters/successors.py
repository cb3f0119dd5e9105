"""Seals the pair a refresh returned under a key derived from the refresh token that was traded in.

Only someone presenting that (high-entropy, never stored) refresh token can read the pair back, so a
database dump alone yields no live tokens: the stored hash is SHA-256 of the token, the key is HKDF of it.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from habitat_identity.service_layer.sessions import TokenPair

_INFO = b"habitat identity: refresh successor v1"


def _fernet(presented: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(presented.encode())
    return Fernet(base64.urlsafe_b64encode(key))


class FernetPairSealer:
    """PairSealer with Fernet (AES-128-CBC + HMAC-SHA256) under an HKDF key of the presented token."""

    def seal(self, pair: TokenPair, presented: str) -> str:
        body = {
            "access_token": pair.access_token,
            "refresh_token": pair.refresh_token,
            "expires_in": pair.expires_in,
            "must_change_password": pair.must_change_password,
            "session_id": str(pair.session_id),
            "refresh_expires_at": pair.refresh_expires_at.isoformat() if pair.refresh_expires_at else None,
        }
        return _fernet(presented).encrypt(json.dumps(body).encode()).decode()

    def open(self, sealed: str, presented: str) -> TokenPair | None:
        try:
            body = json.loads(_fernet(presented).decrypt(sealed.encode()))
        except (InvalidToken, ValueError):
            return None
        expires = body.get("refresh_expires_at")
        return TokenPair(
            access_token=body["access_token"],
            refresh_token=body["refresh_token"],
            expires_in=int(body["expires_in"]),
            must_change_password=bool(body["must_change_password"]),
            session_id=uuid.UUID(body["session_id"]),
            refresh_expires_at=datetime.fromisoformat(expires) if expires else None,
        )
