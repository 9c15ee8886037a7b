import pytest
from cryptography.exceptions import InvalidTag

from kejia.core import pii


def test_encrypt_roundtrip_and_random_nonce():
    a, b = pii.encrypt("13912345678"), pii.encrypt("13912345678")
    assert a != b and "13912345678" not in a
    assert pii.decrypt(a) == pii.decrypt(b) == "13912345678"


def test_blind_index_is_stable_and_keyed(settings):
    first = pii.blind_index("13912345678")
    assert first == pii.blind_index("13912345678") and "13912345678" not in first
    settings.PII_KEY = "b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktMzI="
    assert pii.blind_index("13912345678") != first


def test_decrypt_with_another_key_fails(settings):
    token = pii.encrypt("secret")
    settings.PII_KEY = "b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktMzI="
    with pytest.raises(InvalidTag):
        pii.decrypt(token)


def test_masks():
    assert pii.mask_phone("13912345678") == "139****5678"
    assert pii.mask_resident_id("11010519491231002X") == "*****************X"
    assert pii.mask_resident_id("short") == "****"
