"""JSON API endpoints of the audits app (mounted at /api/audits/ by aftersales/api.py)."""

from ninja import Router

router = Router(tags=["audits"])
