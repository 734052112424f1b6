import hashlib
import hmac

import pytest
from django.utils import translation

from accounts.national_id import InvalidNationalId, id_hash, is_valid, normalise


def make_id(first_twelve: str) -> str:
    """Complete twelve digits with the Thai check digit."""
    total = sum(int(digit) * (13 - position) for position, digit in enumerate(first_twelve))
    return first_twelve + str((11 - total % 11) % 10)


def wrong_check_digit(valid: str) -> str:
    return valid[:12] + str((int(valid[12]) + 1) % 10)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_known_valid_id():
    # Worked example: 1*13 + 1*12 + 0*11 + 1*10 + 7*9 + 0*8 + 0*7 + 2*6 + 0*5 + 3*4 + 4*3 + 5*2
    # = 144; 144 % 11 = 1; (11 - 1) % 10 = 0.
    assert make_id("110170020345") == "1101700203450"
    assert normalise("1101700203450") == "1101700203450"
    assert is_valid("1101700203450")


@pytest.mark.parametrize(
    "first_twelve", ["310060012345", "000000000000", "999999999999", "123456789012"]
)
def test_generated_ids_are_valid(first_twelve):
    assert is_valid(make_id(first_twelve))


def test_check_digit_ten_wraps_to_zero():
    # A remainder of 1 gives 11 - 1 = 10, which the rule writes as 0.
    valid = make_id("110170020345")
    assert valid.endswith("0")
    assert not is_valid(valid[:12] + "1")


def test_wrong_check_digit():
    valid = make_id("310060012345")
    with pytest.raises(InvalidNationalId) as excinfo:
        normalise(wrong_check_digit(valid))
    assert str(excinfo.value) == "This national ID is not valid: please check the digits."
    assert not is_valid(wrong_check_digit(valid))


@pytest.mark.parametrize("text", ["", "123", "12345678901234", "31006001234a5", "abcdefghijklm"])
def test_wrong_length_or_letters(text):
    with pytest.raises(InvalidNationalId) as excinfo:
        normalise(text)
    assert str(excinfo.value) == "A national ID has 13 digits."
    assert not is_valid(text)


def test_is_a_value_error():
    assert issubclass(InvalidNationalId, ValueError)


def test_dashes_spaces_and_dots():
    valid = make_id("310060012345")
    spaced = f"{valid[0]}-{valid[1:5]}-{valid[5:10]}-{valid[10:12]}-{valid[12]}"
    assert normalise(spaced) == valid
    assert normalise(f" {valid[:6]} {valid[6:]} ") == valid
    assert normalise(f"{valid[:4]}.{valid[4:8]}.{valid[8:]}") == valid
    assert normalise(f"{valid[:1]}\u2013{valid[1:]}") == valid


def test_thai_digits():
    valid = make_id("310060012345")
    thai = valid.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    assert normalise(thai) == valid
    assert normalise(f"{thai[0]}-{thai[1:5]}-{thai[5:10]}-{thai[10:12]}-{thai[12]}") == valid


def test_other_unicode_digits_are_refused():
    valid = make_id("310060012345")
    arabic_indic = valid.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert not is_valid(arabic_indic)


def test_message_is_translated():
    with translation.override("th"):
        message = str(pytest.raises(InvalidNationalId, normalise, "123").value)
    assert message  # Thai once the .po has it; never empty.


def test_hash_is_hmac_sha256_with_pepper(settings):
    settings.CENSUS_PEPPER = "pepper-one"
    valid = make_id("310060012345")
    expected = hmac.new(b"pepper-one", valid.encode(), hashlib.sha256).hexdigest()
    assert id_hash(valid) == expected
    assert len(id_hash(valid)) == 64


def test_hash_is_of_the_normalised_id(settings):
    settings.CENSUS_PEPPER = "pepper-one"
    valid = make_id("310060012345")
    assert id_hash(f"{valid[:1]}-{valid[1:5]} {valid[5:]}") == id_hash(valid)


def test_hash_changes_with_the_pepper(settings):
    valid = make_id("310060012345")
    settings.CENSUS_PEPPER = "pepper-one"
    first = id_hash(valid)
    settings.CENSUS_PEPPER = "pepper-two"
    second = id_hash(valid)
    assert first != second
    assert second == hmac.new(b"pepper-two", valid.encode(), hashlib.sha256).hexdigest()


def test_hash_of_thai_pepper(settings):
    settings.CENSUS_PEPPER = "พริกไทย"
    valid = make_id("310060012345")
    key = "พริกไทย".encode()
    assert id_hash(valid) == hmac.new(key, valid.encode(), hashlib.sha256).hexdigest()


def test_hash_refuses_invalid_ids():
    with pytest.raises(InvalidNationalId):
        id_hash("1234")
