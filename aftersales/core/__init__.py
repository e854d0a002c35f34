"""Pure-Python domain core: schemes, scoring, levels, gap analysis.

Nothing in this package imports Django (a test enforces it), so the CLI, the web app and the
workers all compute the same results with the same code.
"""
