"""Sharing levels in plain words (pure)."""
from __future__ import annotations

from app.accounts.levels import LEVEL_LABELS  # noqa: F401  (the levels' names live with the levels)

FIELD_LABELS = {
    "employees": "employees", "segment": "segment", "industry": "industry", "region": "region",
    "arr": "ARR", "renewal_date": "renewal date", "stage": "stage",
    "engagement": "engagement touchpoints", "intent": "intent signals", "outcome": "business outcomes",
    "renewal": "renewals", "opportunity": "opportunities", "product_note": "product notes",
    "competitive_note": "competitive notes", "playbook_feedback": "playbook feedback",
}


def _chosen(fields) -> str:
    return ", ".join(FIELD_LABELS.get(f, f) for f in fields) or "no extra fields"


def describe_incoming(level: str, fields, sharer: str, sharer_side: str) -> str:
    """What you see of `sharer`'s customers at this level, in one sentence."""
    if level == "none":
        return f"{sharer} shares nothing with you, not even how many customers you have in common."
    if level == "counts":
        return f"You see only how many customers you have in common with {sharer}, not which ones."
    if level == "overlaps":
        return f"You see the name and domain of each customer you have in common with {sharer}."
    if level == "fields":
        return (f"You see each customer you have in common with {sharer}, with its name, domain and "
                f"{_chosen(fields)}.")
    if sharer_side == "partner":
        return f"You see every account of {sharer}, with all its fields and insights."
    return (f"You see every account {sharer} assigned to your partnership and every customer you have "
            f"in common, with all fields and insights.")


def describe_outgoing(level: str, fields, receiver: str, your_side: str) -> str:
    """What `receiver` sees of your customers at this level, in one sentence."""
    if level == "none":
        return f"You share nothing with {receiver}, not even how many customers you have in common."
    if level == "counts":
        return f"{receiver} sees only how many customers you have in common, not which ones."
    if level == "overlaps":
        return f"{receiver} sees the name and domain of each customer you have in common."
    if level == "fields":
        return f"{receiver} sees each customer you have in common, with its name, domain and {_chosen(fields)}."
    if your_side == "partner":
        return f"{receiver} sees all your accounts, with all their fields and insights."
    return (f"{receiver} sees every account you assigned to the partnership and every customer you have "
            f"in common, with all fields and insights.")
