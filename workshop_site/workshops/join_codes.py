"""Join codes: short, typed on a phone, read aloud in a hall.

Generated codes avoid characters people confuse (0/O, 1/I). Lookups forgive case,
spaces, dashes and those same confusions, so "dem0-29" finds DEMO29.
"""

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
GENERATED_LENGTH = 6
CODE_PATTERN = re.compile(r"^[A-Z0-9]{4,12}$")


def new_join_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(GENERATED_LENGTH))


def normalise(raw: str) -> str:
    """Upper case, without spaces and dashes."""
    return re.sub(r"[\s\-]", "", raw or "").upper()


def lookup_variants(raw: str) -> list[str]:
    """The typed code, then the same with 0→O and 1→I (a code holds one or the other)."""
    code = normalise(raw)
    if not CODE_PATTERN.match(code):
        return []
    variants = [code]
    swapped = code.replace("0", "O").replace("1", "I")
    if swapped != code:
        variants.append(swapped)
    letters_to_digits = code.replace("O", "0").replace("I", "1")
    if letters_to_digits not in variants:
        variants.append(letters_to_digits)
    return variants
