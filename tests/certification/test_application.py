"""The application: open, save the draft, materials (versioned), completeness, submit, withdraw."""

import hashlib

import pytest

from aftersales.certification import services
from aftersales.certification.cases import TransitionRefused, case_chain_breaks
from aftersales.certification.materials import material_upload
from aftersales.certification.models import Application, Case, CaseEvent, Material
from aftersales.certification.selectors import application_missing
from aftersales.certification.services import ExclusionRow, ManagerRow, SiteRow, StepRefused

from .helpers import complete_data, make_case, pdf

pytestmark = pytest.mark.django_db


def snapshot(case):
    case.refresh_from_db()
    a = Application.objects.get(case=case)
    return (
        case.status,
        case.event_count,
        a.products,
        a.staff_total,
        list(a.sites.values_list("name", flat=True)),
        list(a.exclusions.values_list("item_code", flat=True)),
        list(a.managers.values_list("certificate_no", flat=True)),
        Material.objects.filter(case=case).count(),
    )


def test_it_opens_a_draft_with_a_reference_and_an_event(world):
    case = services.case_open(
        enterprise=world["enterprise"], cb=world["cb"], scheme_version=world["gbt"], by=world["people"]["ent_admin"]
    )
    assert case.status == Case.Status.DRAFT
    assert case.reference.startswith("AS-") and case.reference.endswith("-0001")
    assert [e.action for e in case.events.all()] == ["case.opened"]


def test_it_refuses_a_second_open_case_with_the_same_cb(world):
    case = make_case(world)
    with pytest.raises(StepRefused, match=case.reference):
        services.case_open(
            enterprise=world["enterprise"], cb=world["cb"], scheme_version=world["gbt"], by=world["people"]["ent_admin"]
        )
    assert Case.objects.count() == 1


def test_it_allows_a_new_case_after_a_withdrawn_one(world):
    make_case(world, Case.Status.WITHDRAWN)
    services.case_open(
        enterprise=world["enterprise"], cb=world["cb"], scheme_version=world["gbt"], by=world["people"]["ent_admin"]
    )
    assert Case.objects.count() == 2


def test_it_refuses_a_cb_as_applicant(world):
    with pytest.raises(StepRefused):
        services.case_open(
            enterprise=world["cb"], cb=world["cb"], scheme_version=world["gbt"], by=world["people"]["cb_admin"]
        )


def test_it_saves_the_draft_with_its_rows(world):
    case = make_case(world)
    a = Application.objects.get(case=case)
    assert a.product_list == ["空调", "冰箱", "洗衣机"]
    assert list(a.sites.values_list("kind", "fixed_outlet")) == [("own", True), ("entrusted", True), ("own", False)]
    assert list(a.exclusions.values_list("item_code", flat=True)) == ["5.2.6.1"]
    assert a.managers.count() == 2
    assert "application.saved" in case.events.values_list("action", flat=True)


def test_it_refuses_an_item_the_scheme_does_not_let_exclude_and_writes_nothing(world):
    case = make_case(world)
    before = snapshot(case)
    data = complete_data(
        products="只有这一项",
        exclusions=[ExclusionRow("5.2.6.1", "不涉及"), ExclusionRow("5.1.2.2", "没有管理师"), ExclusionRow("9.9", "x")],
    )
    with pytest.raises(StepRefused) as exc:
        services.application_save(case=case, data=data, by=world["people"]["ent_admin"])
    assert exc.value.problems == [
        "Exclusions, row 2: item 5.1.2.2 cannot be excluded; the scheme requires it of everyone.",
        "Exclusions, row 3: there is no item “9.9” in this scheme.",
    ]
    assert snapshot(case) == before


def test_it_names_every_bad_row_and_field(world):
    case = make_case(world, complete=False)
    data = complete_data(
        staff_total=5,
        staff_service_management=6,
        sites=[SiteRow("", "", "rented", False)],
        exclusions=[ExclusionRow("5.2.6.1", " ")],
        managers=[ManagerRow("甲", "A1"), ManagerRow("", "A1")],
    )
    with pytest.raises(StepRefused) as exc:
        services.application_save(case=case, data=data, by=world["people"]["ent_admin"])
    assert exc.value.problems == [
        "Service-management staff: cannot be more than the total staff.",
        "Sites, row 1: the name is missing.",
        "Sites, row 1: the address is missing.",
        "Sites, row 1: choose own or entrusted.",
        "Exclusions, row 1: give the reason the item does not apply.",
        "Service managers, row 2: the name is missing.",
        "Service managers, row 2: certificate number A1 is listed twice.",
    ]


def test_it_keeps_every_version_of_a_material(world):
    case = make_case(world, complete=False)
    by = world["people"]["ent_member"]
    first = material_upload(case=case, material_type="business_licence", upload=pdf("执照.pdf", b"%PDF-1 a"), by=by)
    second = material_upload(case=case, material_type="business_licence", upload=pdf("执照2.pdf", b"%PDF-1 b"), by=by)
    assert (first.version, second.version) == (1, 2)
    assert second.sha256 == hashlib.sha256(b"%PDF-1 b").hexdigest()
    assert Material.objects.filter(case=case, material_type="business_licence").count() == 2
    assert first.file.read() == b"%PDF-1 a"


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("a.exe", b"MZ", "files of type .exe are not accepted"),
        ("a.pdf", b"", "a.pdf is empty"),
        ("a.pdf", b"GIF89a", "a.pdf is not a real .pdf file"),
        ("a.txt", b"ab\x00cd", "a.txt is not a text file"),
    ],
)
def test_it_refuses_a_bad_file_and_stores_nothing(world, name, body, message):
    case = make_case(world, complete=False)
    with pytest.raises(StepRefused, match=message):
        material_upload(case=case, material_type="permits", upload=pdf(name, body), by=world["people"]["ent_admin"])
    assert not Material.objects.filter(case=case).exists()


def test_it_refuses_a_file_over_the_size_limit(world, settings):
    settings.EVIDENCE_MAX_BYTES = 10
    case = make_case(world, complete=False)
    with pytest.raises(StepRefused, match="larger than"):
        material_upload(
            case=case,
            material_type="permits",
            upload=pdf("a.pdf", b"%PDF-" + b"x" * 20),
            by=world["people"]["ent_admin"],
        )


def test_it_refuses_an_unknown_material_type(world):
    case = make_case(world, complete=False)
    with pytest.raises(StepRefused, match="no material type"):
        material_upload(case=case, material_type="selfie", upload=pdf(), by=world["people"]["ent_admin"])


def test_it_names_everything_missing_before_submitting(world):
    case = make_case(world, complete=False)
    missing = application_missing(case)
    assert "product categories in scope" in missing
    assert "date the after-sales system took effect" in missing
    assert "declaration: not on a credit blacklist" in missing
    assert "at least one certified after-sales service manager" in missing
    assert "material: business licence" in missing  # in the user's language only (English here)
    assert "material: permits (where required)" not in missing  # optional
    before = snapshot(case)
    with pytest.raises(StepRefused) as exc:
        services.application_submit(case=case, by=world["people"]["ent_admin"])
    assert "Missing: material: business licence" in exc.value.problems
    assert snapshot(case) == before


def test_it_submits_a_complete_application(world):
    case = make_case(world)
    assert application_missing(case) == []
    services.application_submit(case=case, by=world["people"]["ent_admin"])
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED
    assert Application.objects.get(case=case).submitted_at is not None
    last = CaseEvent.objects.filter(case=case).last()
    assert (last.action, last.from_status, last.to_status) == ("application.submitted", "draft", "submitted")
    assert case_chain_breaks(case) == []


@pytest.mark.parametrize(
    "status", [Case.Status.SUBMITTED, Case.Status.REFUSED, Case.Status.ACCEPTED, Case.Status.WITHDRAWN]
)
def test_it_refuses_to_change_the_application_after_submission(world, status):
    case = make_case(world, status)
    before = snapshot(case)
    with pytest.raises(StepRefused, match="can no longer be changed"):
        services.application_save(case=case, data=complete_data(products="新"), by=world["people"]["ent_admin"])
    with pytest.raises(StepRefused, match="can no longer be changed"):
        material_upload(case=case, material_type="permits", upload=pdf(), by=world["people"]["ent_admin"])
    assert snapshot(case) == before


@pytest.mark.parametrize(
    "status",
    [Case.Status.SUBMITTED, Case.Status.REFUSED, Case.Status.ACCEPTED, Case.Status.CONTRACTED, Case.Status.WITHDRAWN],
)
def test_it_refuses_to_submit_twice_or_late(world, status):
    case = make_case(world, status)
    before = snapshot(case)
    with pytest.raises(TransitionRefused):
        services.application_submit(case=case, by=world["people"]["ent_admin"])
    assert snapshot(case) == before


def test_it_withdraws_with_a_reason(world):
    case = make_case(world, Case.Status.ACCEPTED)
    with pytest.raises(StepRefused, match="Reason"):
        services.case_withdraw(case=case, reason=" ", by=world["people"]["ent_admin"])
    services.case_withdraw(case=case, reason="预算调整", by=world["people"]["ent_admin"])
    case.refresh_from_db()
    assert case.status == Case.Status.WITHDRAWN
    assert case.events.last().reason == "预算调整"


@pytest.mark.parametrize("status", [Case.Status.REFUSED, Case.Status.WITHDRAWN])
def test_it_refuses_to_withdraw_a_closed_case(world, status):
    case = make_case(world, status)
    before = snapshot(case)
    with pytest.raises(TransitionRefused):
        services.case_withdraw(case=case, reason="x", by=world["people"]["ent_admin"])
    assert snapshot(case) == before
