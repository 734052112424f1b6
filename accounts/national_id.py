"""Thai national ID numbers (เลขประจำตัวประชาชน): clean-up, checksum and the keyed hash we store."""

import hashlib
import hmac
import re

from django.conf import settings
from django.utils.translation import gettext as _

# People copy IDs from cards and letters, which print them as 1-2345-67890-12-3, sometimes in
# Thai digits and with unicode dashes that word processors substitute for hyphens.
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_SEPARATORS = re.compile(r"[\s.\-\u2010\u2011\u2012\u2013\u2014\u2212]+")
# [0-9] rather than \d: \d would also let through Arabic-Indic and other unicode digits.
_THIRTEEN_DIGITS = re.compile(r"[0-9]{13}")


class InvalidNationalId(ValueError):
    """The text is not a well-formed Thai national ID; the message is shown to the person."""


def _check_digit(first_twelve: str) -> int:
    total = sum(int(digit) * (13 - position) for position, digit in enumerate(first_twelve))
    return (11 - total % 11) % 10


def normalise(text: str) -> str:
    """Return the 13 ASCII digits of an ID typed in any usual way, or raise InvalidNationalId."""
    digits = _SEPARATORS.sub("", (text or "").translate(_THAI_DIGITS))
    if not _THIRTEEN_DIGITS.fullmatch(digits):
        raise InvalidNationalId(_("A national ID has 13 digits."))
    if _check_digit(digits[:12]) != int(digits[12]):
        raise InvalidNationalId(_("This national ID is not valid: please check the digits."))
    return digits


def is_valid(text: str) -> bool:
    """Tell whether the text is a national ID with a correct check digit."""
    try:
        normalise(text)
    except InvalidNationalId:
        return False
    return True


def id_hash(national_id: str) -> str:
    """Return the hex HMAC-SHA256 of the normalised ID, keyed with settings.CENSUS_PEPPER."""
    # Keyed, not a plain hash: with only 10^12 possible IDs, an unkeyed SHA-256 of every ID can be
    # computed in hours, so a leaked database would reveal them all without the pepper.
    digits = normalise(national_id)
    return hmac.new(
        settings.CENSUS_PEPPER.encode("utf-8"), digits.encode("ascii"), hashlib.sha256
    ).hexdigest()
