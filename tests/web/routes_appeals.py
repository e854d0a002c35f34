"""Rows of the persona × URL matrix for this area (see test_persona_matrix)."""


def routes(world) -> dict:
    return {}
