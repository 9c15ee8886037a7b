"""Exact shares and thresholds. A threshold is a fraction p/q (2/3, 3/4, 70/100, 1/3) and "k of n
reaches p/q" is decided in integers, k·q against p·n: never with floats or a tolerance, so 1 402 of
2 003 (69.995 %) does not reach 70/100 and 2 of 3 reaches 2/3.

以上 / 不少于 ("at least") and 以下 / 不超过 ("at most") include the number itself (Civil Code
art. 1259); "more than" (超过, and 主要 read as more than half) does not."""

from fractions import Fraction

AT_LEAST = "gte"
AT_MOST = "lte"
MORE_THAN = "gt"


def reaches(k: int, n: int, comparison: str, p: int, q: int) -> bool:
    """Whether k/n compares with p/q as `comparison` says; n and q are positive."""
    if n <= 0 or q <= 0:
        raise ValueError("a share needs a positive denominator")
    left, right = k * q, p * n
    if comparison == AT_LEAST:
        return left >= right
    if comparison == AT_MOST:
        return left <= right
    if comparison == MORE_THAN:
        return left > right
    raise ValueError(f"unknown comparison {comparison!r}")


def parse_fraction(text: str) -> tuple[int, int]:
    """A threshold as written by a person: "2/3", "70%", "0.75", "70", "１/３" → (p, q), kept as
    written (70% is 70/100, 0.75 is 75/100). Raises ValueError for anything else."""
    value = str(text).strip().replace("％", "%").replace("／", "/").replace(" ", "")
    value = value.translate({ord(c): ord("0") + i for i, c in enumerate("０１２３４５６７８９")})
    if not value:
        raise ValueError("empty")
    if "/" in value:
        top, _slash, bottom = value.partition("/")
        if not (top.isdigit() and bottom.isdigit()) or int(bottom) == 0:
            raise ValueError(value)
        return int(top), int(bottom)
    percent = value.endswith("%")
    number = value[:-1] if percent else value
    whole, _dot, decimals = number.partition(".")
    if not (whole or decimals) or (whole and not whole.isdigit()) or (decimals and not decimals.isdigit()) or len(decimals) > 6:
        raise ValueError(value)
    numerator = int((whole or "0") + decimals)
    denominator = 10 ** len(decimals) * (100 if percent else 1)
    return numerator, denominator


def fraction_text(p: int, q: int, *, share: bool = True) -> str:
    """70/100 → "70%", 3/4 → "75%" only when written so (75/100); 2/3 → "2/3"; 70/1 → "70"."""
    if q == 1:
        return str(p)
    if share and q in (100, 1000, 10000, 100000, 1000000):
        percent = Fraction(p * 100, q)
        return f"{float(percent):g}%"
    return f"{p}/{q}"


def as_float(p: int, q: int) -> float:
    return p / q
