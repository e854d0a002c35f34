"""Checklist files (.xlsx, .csv): the exchange format between people and the scoring engine."""
