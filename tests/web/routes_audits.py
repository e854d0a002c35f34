"""Rows of the persona × URL matrix for the audits pages and API endpoints (see test_persona_matrix)."""


def routes(world) -> dict:
    return {}
