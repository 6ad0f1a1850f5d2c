"""Amounts in won as Korean and English readers write them, for the public site and the admin."""


def format_krw(amount, language: str) -> str:
    """An amount in won as a reader expects it: "50억 원" in Korean, "KRW 5 bn" in English.

    static/js/admin-amount.js writes the same reading beside the admin's amount inputs as a clerk
    types; keep the two in step."""
    if amount is None:
        return "–"
    amount = int(amount)
    if language == "ko":
        jo, rest = divmod(amount, 10**12)
        eok, rest = divmod(rest, 10**8)
        man, won = divmod(rest, 10**4)
        parts = []
        if jo:
            parts.append(f"{jo:,}조")
        if eok:
            parts.append(f"{eok:,}억")
        if man:
            parts.append(f"{man:,}만")
        if won or not parts:
            parts.append(f"{won:,}")
        return " ".join(parts) + " 원"
    for size, suffix in ((10**12, "tn"), (10**9, "bn"), (10**6, "M")):
        if abs(amount) >= size:
            text = f"{amount / size:.2f}".rstrip("0").rstrip(".")
            return f"KRW {text} {suffix}"
    return f"KRW {amount:,}"
