"""Shapes the API accepts, said once: used by the dict schemas and the pydantic models alike."""

# Shapes the views accept, said once for every operation that takes them.
PERIOD_PATTERN = "^2[0-9]{3}-Q[1-4]$"
PERIOD = {"type": "string", "pattern": PERIOD_PATTERN, "examples": ["2026-Q3"]}
# Views strip text (str.strip) and refuse it empty: at least one character that is not white space
# (Python's str.isspace also counts the separators U+001C..U+001F) and no NUL.
FILLED = "^[^\\x00]*[^\\s\\x00\\x1c-\\x1f][^\\x00]*$"


def filled_text(max_length: int | None = None, **extra) -> dict:
    """Text a view strips and requires non-empty."""
    schema = {"type": "string", "pattern": FILLED, **extra}
    if max_length:
        schema["maxLength"] = max_length
    return schema


UUID_PATTERN = "^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"



def stripped_at_least(n: int) -> str:
    """A pattern for text that, stripped (str.strip), keeps at least n characters (n >= 2)."""
    space = "[\\s\\x1c-\\x1f]"
    solid = "[^\\s\\x1c-\\x1f]"
    return f"^{space}*{solid}[\\s\\S]{{{n - 2},}}{solid}{space}*$"
