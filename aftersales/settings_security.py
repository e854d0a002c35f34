"""Security settings (imported at the end of aftersales/settings.py; the environment decides)."""
