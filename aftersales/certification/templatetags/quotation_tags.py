"""Amounts on the quotation: ¥19,000.00 (core.fees.money)."""

from django import template

from aftersales.core import fees

register = template.Library()


@register.filter
def yuan(amount) -> str:
    """'19,000.00' for 19000 (the ¥ sign is the template's); '' for nothing."""
    if amount is None or amount == "":
        return ""
    return fees.money(amount)
