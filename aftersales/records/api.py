"""JSON API endpoints of the records app (mounted at /api/records/ by aftersales/api.py)."""

from ninja import Router

router = Router(tags=["records"])
