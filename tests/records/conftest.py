from pathlib import Path

import pytest

from aftersales.certification.models import Case
from aftersales.core.records.mapping import shipped_mappings

SAMPLES = Path(__file__).resolve().parents[2] / "aftersales" / "core" / "records" / "samples"

# kind -> (sample file, shipped mapping name)
SHIPPED = {
    "complaint": ("complaints-event-log-utf8bom.csv", "complaints-event-log-utf8bom"),
    "work_order": ("crm-work-orders-gbk.csv", "crm-work-orders-gbk"),
    "return_visit": ("return-visits-utf8.csv", "return-visits-utf8"),
    "survey": ("surveys-xlsx.xlsx", "surveys-xlsx"),
}


def sample_file(kind: str) -> tuple[str, bytes]:
    name = SHIPPED[kind][0]
    return name, (SAMPLES / name).read_bytes()


def mapping_text(kind: str) -> bytes:
    return shipped_mappings()[SHIPPED[kind][1]].read_bytes()


@pytest.fixture
def case(world):
    """A live (submitted) certification case between the enterprise and the CB: its cb_admin and
    reviewer may see the records (a draft case would not open them)."""
    return Case.objects.create(
        reference="C-2026-0001",
        enterprise=world["enterprise"],
        cb=world["cb"],
        scheme_version=world["gbt"],
        created_by=world["people"]["ent_admin"],
        status=Case.Status.SUBMITTED,
    )


@pytest.fixture
def imported(world):
    """The shipped sample files of every kind imported into the enterprise."""
    from aftersales.records.services import records_import

    out = {}
    for kind in SHIPPED:
        name, data = sample_file(kind)
        out[kind] = records_import(
            enterprise=world["enterprise"],
            kind=kind,
            data=data,
            filename=name,
            mapping=mapping_text(kind),
            mapping_name=SHIPPED[kind][1],
            by=world["people"]["ent_admin"],
        )
        assert out[kind].status == "done", out[kind].problems
    return out
