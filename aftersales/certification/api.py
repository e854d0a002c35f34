"""JSON API endpoints of the certification app (mounted at /api/certification/ by aftersales/api.py)."""

from ninja import Router

router = Router(tags=["certification"])
