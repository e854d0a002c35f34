"""The codes of service records, with their zh-Hans and en labels (declared here only): record kinds,
status categories and channels. Pure Python without polars, so the Django models can import them.
"""

from __future__ import annotations

from ..concepts import Concept


class Kind(Concept):
    """A kind of service record (its codes and labels are declared here only)."""

    COMPLAINT = "complaint", "投诉", "complaint"
    WORK_ORDER = "work_order", "维修工单", "repair work order"
    RETURN_VISIT = "return_visit", "回访", "return visit"
    SURVEY = "survey", "满意度调查", "satisfaction survey"


class StatusCategory(Concept):
    """Where a complaint or work order stands (a mapping maps a source system's statuses to these)."""

    OPEN = "open", "处理中", "open"
    PAUSED = "paused", "挂起", "paused"
    RESOLVED = "resolved", "已解决", "resolved"
    CLOSED = "closed", "已关闭", "closed"
    CANCELLED = "cancelled", "已取消", "cancelled"


class Channel(Concept):
    """How a complaint or work order came in."""

    PHONE = "phone", "电话", "phone"
    ONLINE = "online", "线上", "online"
    STORE = "store", "门店", "store"
    ONSITE = "onsite", "现场", "on site"
    LETTER = "letter", "信函", "letter"
    REGULATOR = "regulator", "市场监管部门", "market regulator"
    OTHER = "other", "其他", "other"
