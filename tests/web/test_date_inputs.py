"""Every date input renders its value in ISO YYYY-MM-DD, in every language: a browser drops any
other value of <input type="date"> (zh-Hans formats dates 2026/12/15), and the date is lost."""

import importlib
import pkgutil
from datetime import date

import pytest
from django import forms
from django.apps import apps
from django.utils import translation


def _forms_of_the_project() -> list[type[forms.BaseForm]]:
    """The form classes of every installed aftersales app (forms are declared in its forms and views)."""
    for app in apps.get_app_configs():
        if app.name.startswith("aftersales."):
            for module in pkgutil.walk_packages(app.module.__path__, app.name + "."):
                if {"forms", "views"} & set(module.name.split(".")) or module.name.endswith("_forms"):
                    importlib.import_module(module.name)
    found, todo = [], [forms.Form, forms.ModelForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("aftersales."):
            found.append(cls)
    return found


def _date_fields() -> list[tuple[str, str, forms.Field]]:
    return [
        (f"{cls.__module__}.{cls.__qualname__}", name, field)
        for cls in _forms_of_the_project()
        for name, field in cls.base_fields.items()
        if isinstance(field, forms.DateField)
    ]


def test_the_project_has_date_fields_to_check():
    names = {f"{form}.{name}" for form, name, _field in _date_fields()}
    assert "aftersales.audits.forms.PlanForm.start_date" in names
    assert len(names) >= 8


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_date_input_renders_iso_in_every_language(language):
    with translation.override(language):
        wrong = [
            f"{form}.{name}: {html}"
            for form, name, field in _date_fields()
            if 'type="date"' not in (html := field.widget.render(name, date(2026, 12, 15)))
            or 'value="2026-12-15"' not in html
        ]
    assert wrong == []


def test_a_plain_date_input_would_lose_the_date_in_zh_hans():
    """What the test guards against: Django's own DateInput writes the language's format."""
    with translation.override("zh-hans"):
        html = forms.DateInput(attrs={"type": "date"}).render("d", date(2026, 12, 15))
    assert 'value="2026/12/15"' in html
