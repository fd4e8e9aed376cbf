"""The IPP editor and assessment forms: plain HTML forms (rows of inputs, no JavaScript).

The criteria editor shows one fieldset per criterion plus blank rows for new ones; rows whose
key, question and weight are all blank are ignored, and a ticked "remove" drops a row. Choice
options are typed one per line as `value = points`. Validation is app.ipp.scoring's, whose
field names (`criteria.3.weight`) are mapped back onto the rows here. CSRF is checked for every
POST by Flask-WTF's CSRFProtect; templates carry the token.
"""
from __future__ import annotations

from typing import Any

from app.ipp import scoring

BLANK_ROWS = 3
ROW_FIELDS = ("key", "question", "help_text", "type", "weight", "floor", "target", "options")


def rows_from_criteria(criteria: list[dict], blanks: int = BLANK_ROWS) -> list[dict]:
    """Editor rows for stored criteria, plus blank rows."""
    rows = []
    for item in criteria:
        rows.append({
            "key": item["key"], "question": item["question"], "help_text": item.get("help_text", ""),
            "type": item["type"], "weight": str(item["weight"]), "knockout": bool(item.get("knockout")),
            "floor": str(item.get("floor", "")), "target": str(item.get("target", "")),
            "options": "\n".join(f"{o['value']} = {o['points']}" for o in item.get("options", [])),
            "remove": False, "errors": {},
        })
    return rows + [blank_row() for _ in range(blanks)]


def blank_row() -> dict:
    return {**{name: "" for name in ROW_FIELDS}, "type": "boolean", "knockout": False,
            "remove": False, "errors": {}}


def rows_from_form(form) -> list[dict]:
    """The editor rows exactly as submitted (kept on a 422 re-render)."""
    try:
        count = min(int(form.get("rows", "0")), 200)
    except ValueError:
        count = 0
    rows = []
    for i in range(count):
        row = {name: form.get(f"c-{i}-{name}", "") for name in ROW_FIELDS}
        row["knockout"] = form.get(f"c-{i}-knockout") == "y"
        row["remove"] = form.get(f"c-{i}-remove") == "y"
        row["errors"] = {}
        rows.append(row)
    return rows


def _is_blank(row: dict) -> bool:
    return not any(str(row[name]).strip() for name in ("key", "question", "weight"))


def parse_options(text: str) -> list[dict]:
    """`value = points` lines into option dicts (a line without `=` has no points)."""
    options = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        value, sep, points = line.rpartition("=")
        options.append({"value": value.strip(), "points": points.strip()} if sep
                       else {"value": line.strip()})
    return options


def criteria_from_rows(rows: list[dict]) -> tuple[list[dict], list[int]]:
    """Raw criterion dicts for scoring.validate_criteria, and the row index of each."""
    raw, index_of = [], []
    for i, row in enumerate(rows):
        if row["remove"] or _is_blank(row):
            continue
        item: dict[str, Any] = {"key": row["key"].strip(), "question": row["question"],
                                "help_text": row["help_text"], "type": row["type"],
                                "weight": row["weight"], "knockout": row["knockout"]}
        if row["type"] == "number":
            item.update(floor=row["floor"], target=row["target"])
        if row["type"] == "choice":
            item["options"] = parse_options(row["options"])
        raw.append(item)
        index_of.append(i)
    return raw, index_of


def attach_errors(rows: list[dict], index_of: list[int], errors: dict[str, str]) -> dict[str, str]:
    """Put `criteria.N.field` messages on their rows; returns the errors not tied to a row."""
    general = {}
    for name, message in errors.items():
        parts = name.split(".")
        if parts[0] != "criteria" or len(parts) < 2 or not parts[1].isdigit():
            general[name] = message
            continue
        row = rows[index_of[int(parts[1])]]
        field = parts[2] if len(parts) > 2 else "key"
        detail = f"line {int(parts[3]) + 1}: " if len(parts) > 3 and parts[3].isdigit() else ""
        if field not in ROW_FIELDS and field != "knockout":
            field = "key"
        row["errors"][field] = (row["errors"].get(field, "") + f" {detail}{message}").strip()
    if "criteria" in general:
        general["criteria"] = "Add at least one criterion."
    return general


def answer_inputs(form, criteria: list[scoring.Criterion]) -> dict[str, str]:
    """The submitted answer of every criterion (blank = unanswered)."""
    return {c.key: form.get(f"a-{c.key}", "") for c in criteria}


def answer_values(answers: dict, criteria: list[scoring.Criterion]) -> dict[str, str]:
    """Stored answers as the strings the inputs show."""
    out = {}
    for c in criteria:
        value = (answers or {}).get(c.key)
        if value is None:
            out[c.key] = ""
        elif isinstance(value, bool):
            out[c.key] = "yes" if value else "no"
        else:
            out[c.key] = str(value)
    return out


def display_answer(c: scoring.Criterion, value: Any) -> str:
    """An answer as people read it."""
    if value is None or value == "":
        return "—"
    if c.type == "boolean":
        try:
            return "Yes" if scoring.clean_answer(c, value) else "No"
        except ValueError:
            return str(value)
    if c.type == "scale":
        return f"{value} of 5"
    return str(value)
