"""Personas of the persona × URL matrix and the helper that writes a row of it."""

PERSONAS = [
    "anonymous",
    "ent_admin",
    "ent_member",
    "other_admin",
    "cb_admin",
    "reviewer",
    "auditor",
    "auditor_other",
    "committee",
]
OWN = {"ent_admin", "ent_member"}
LOGGED_IN = set(PERSONAS) - {"anonymous"}
ENTERPRISE = {"ent_admin", "ent_member", "other_admin"}
CB_STAFF = {"cb_admin", "reviewer", "auditor", "auditor_other", "committee"}


def expect(ok: set[str], ok_status: int, *, forbidden: set[str] = frozenset(), anonymous: int = 302) -> dict:
    """Status per persona: ok → ok_status, forbidden → 403, anonymous → login redirect, others → 404."""
    out = {}
    for persona in PERSONAS:
        if persona == "anonymous" and persona not in ok:
            out[persona] = anonymous
        elif persona in ok:
            out[persona] = ok_status
        elif persona in forbidden:
            out[persona] = 403
        else:
            out[persona] = 404
    return out
