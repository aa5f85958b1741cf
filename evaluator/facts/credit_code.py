"""The unified social credit code (统一社会信用代码) check of GB 32100-2015."""

from __future__ import annotations

from ..base.i18n import Text

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, …
_VALUE = {ch: value for value, ch in enumerate(CHARSET)}
_CHARS = frozenset(CHARSET)

PROBLEM_TEXT = {
    "none": Text("无", "none"),
    "length": Text("长度不是18位", "not 18 characters long"),
    "charset": Text("含有代码字符集以外的字符", "has characters outside the code's character set"),
    "check_character": Text("第18位校验码不符", "the 18th (check) character does not match"),
}


def check_character(first17: str) -> str:
    total = sum(_VALUE[ch] * weight for ch, weight in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str:
    """`none` for a valid code, else what fails: `length`, `charset` or `check_character`.

    Only the 18th character is checked beyond the character set (SPEC 1.2): the registration
    authority and administrative-division parts are not.
    """
    if len(code) != 18:
        return "length"
    if not _CHARS.issuperset(code):
        return "charset"
    return "none" if check_character(code[:17]) == code[17] else "check_character"
