"""System checks of the deployment: a CB policy folder (CB_POLICY_DIR) that cannot be used is
reported when the site starts (`manage.py check`, `migrate`, `runserver`), not first on a page."""

from __future__ import annotations

from django.core import checks

from aftersales.policy import PolicyError, policy_series


@checks.register()
def cb_policy(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    try:
        policy_series()
    except PolicyError as exc:
        return [checks.Error(str(exc), hint="docs/policy.md", id="ops.E001")]
    return []
