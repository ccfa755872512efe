from srdi.kit.masking import mask_account, mask_phone


def test_mobile_number_keeps_first_three_and_last_four():
    assert mask_phone("13800138000") == "138****8000"


def test_short_number_is_fully_masked():
    assert mask_phone("12345") == "*****"


def test_bank_account_shows_only_last_four():
    assert mask_account("6222 0200 1234 5678") == "************5678"
