"""Passwords: Argon2id with configured cost, strength rules, re-hash on login when the cost changes."""

import pytest

from srdi.auth import service
from srdi.auth.exceptions import WeakPassword
from srdi.config import Settings, get_settings
from tests.auth.conftest import login
from tests.auth_support import TEST_PASSWORD

CHEAP = dict(argon2_time_cost=1, argon2_memory_kib=1024, argon2_parallelism=1)


def test_hash_is_argon2id_with_the_configured_cost_and_verifies_only_the_right_password():
    settings = get_settings().model_copy(update=CHEAP)
    h = service.hash_password("Secret-2026", settings)
    assert h.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    assert service.verify_password(h, "Secret-2026", settings) is True
    assert service.verify_password(h, "secret-2026", settings) is False
    assert service.verify_password("not-a-hash", "Secret-2026", settings) is False


def test_default_cost_is_rfc9106_second_recommended_option():
    fields = Settings.model_fields
    defaults = (fields["argon2_time_cost"].default, fields["argon2_memory_kib"].default)
    assert defaults == (3, 65536)
    assert fields["argon2_parallelism"].default == 4


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1", "密码至少 8 位"),
        ("onlyletters", "密码须同时包含字母和数字"),
        ("1234567890", "密码须同时包含字母和数字"),
        ("Zhang3san", "密码不能与用户名相同"),
    ],
)
def test_weak_passwords_are_refused_with_chinese_reason(password, message):
    with pytest.raises(WeakPassword) as exc:
        service.check_password_strength(password, "zhang3san")
    assert exc.value.message_zh == message


def test_login_rehashes_a_password_stored_with_an_older_cost(anon_client, make_user, use_settings):
    user = make_user("expert")
    assert "$m=1024,t=1,p=1$" in user.password_hash
    use_settings(argon2_memory_kib=2048, argon2_time_cost=2)
    assert login(anon_client, user.username, TEST_PASSWORD).status_code == 200
    assert user.password_hash.startswith("$argon2id$v=19$m=2048,t=2,p=1$")
