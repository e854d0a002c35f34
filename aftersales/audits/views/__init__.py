"""The audits app's pages, by page family (urls.py names them)."""
