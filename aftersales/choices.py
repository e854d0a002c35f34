"""Django choices from the core's concepts (aftersales.core.concepts): one declaration of a code
and its zh-Hans and en label, shown in the active language.

`text_choices(CertificateStatus)` is a `models.TextChoices` whose members equal the core's (both are
`str`), so `Certificate.Status.SUSPENDED == CertificateStatus.SUSPENDED`, and whose labels are lazy:
they read the core's label in the language active when shown. With translation deactivated
(management commands such as makemigrations) a label is its English text, as a gettext msgid would be.
"""

from __future__ import annotations

from django.db import models
from django.utils.functional import lazy
from django.utils.translation import get_language

from aftersales.core.concepts import Concept
from aftersales.core.text import Text


def _label(text: Text) -> str:
    lang = get_language()
    return text.en if lang is None else text.get(lang)


label_lazy = lazy(_label, str)


def text_choices(concept: type[Concept], members: tuple[Concept, ...] | None = None) -> type[models.TextChoices]:
    """The concept (or some of its members) as Django choices with lazy labels."""
    chosen = members if members is not None else tuple(concept)
    return models.TextChoices(concept.__name__, [(m.name, (m.value, label_lazy(m.text))) for m in chosen])
