"""Rows of the persona × URL matrix for appeals and complaints (see test_persona_matrix).

Every appeal here is about one decided case of 甲企业 (auditor led its audit, committee decided
it) and, except the one to assign, is handled by auditor_other. Who sees an appeal: the
enterprise's members, the CB's cb_admin and reviewer, and its handler; auditor and committee
(involved in the case, not handlers) get 404 like outsiders. The enterprise admin lodges and
withdraws; the cb_admin assigns and acknowledges; the handler acknowledges and handles. A viewer
without the role for a write gets 403. Each write acts on an appeal of its own.
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aftersales.appeals import services
from tests.appeals.factories import appeal_in, lodged
from tests.audits.factories import case_at

from .personas import LOGGED_IN, OWN, expect

HANDLER = "auditor_other"
VIEWERS = OWN | {"cb_admin", "reviewer", HANDLER}


def routes(world) -> dict:
    p = world["people"]
    case = case_at(world, "decided")

    def handled(status="lodged"):
        return appeal_in(world, status, handler=HANDLER, case=case)

    shown = lodged(world, case=case, uploads=[SimpleUploadedFile("申诉书.pdf", b"%PDF-1.4 a")])
    services.appeal_assign(appeal=shown, handler=p[HANDLER], by=p["cb_admin"])
    file = shown.files.get()
    withdraw_me, ack_me = handled(), handled()
    assign_me = lodged(world, case=case)
    start_me = handled("acknowledged")
    note_me, decide_me = handled("under_review"), handled("under_review")

    def url(name, *args):
        return reverse(name, args=args)

    enterprise_admin = expect({"ent_admin"}, 302, forbidden={"ent_member", "cb_admin", "reviewer", HANDLER})
    return {
        "appeal_list": ("get", url("appeal_list"), {}, {}, expect(LOGGED_IN, 200)),
        # CB staff are no enterprise's admins: 404; the enterprise member sees the case but may not lodge
        "appeal_new": (
            "post",
            url("appeal_new"),
            {"case": case.pk, "subject": f"decision-{case.decisions.get().pk}", "grounds": "评分与事实不符"},
            {},
            expect({"ent_admin"}, 302, forbidden={"ent_member"}),
        ),
        "appeal_detail": ("get", url("appeal_detail", shown.pk), {}, {}, expect(VIEWERS, 200)),
        "appeal_file": ("get", url("appeal_file", shown.pk, file.pk), {}, {}, expect(VIEWERS, 200)),
        "appeal_withdraw": ("post", url("appeal_withdraw", withdraw_me.pk), {"reason": "x"}, {}, enterprise_admin),
        # not handled yet: auditor_other does not see it
        "appeal_assign": (
            "post",
            url("appeal_assign", assign_me.pk),
            {"handler": p[HANDLER].pk},
            {},
            expect({"cb_admin"}, 302, forbidden=OWN | {"reviewer"}),
        ),
        "appeal_acknowledge": (
            "post",
            url("appeal_acknowledge", ack_me.pk),
            {"note": ""},
            {},
            expect({"cb_admin", HANDLER}, 302, forbidden=OWN | {"reviewer"}),
        ),
        "appeal_review_start": (
            "post",
            url("appeal_review_start", start_me.pk),
            {},
            {},
            expect({HANDLER}, 302, forbidden=OWN | {"cb_admin", "reviewer"}),
        ),
        "appeal_note": (
            "post",
            url("appeal_note", note_me.pk),
            {"text": "调阅审核记录"},
            {},
            expect({HANDLER}, 302, forbidden=OWN | {"cb_admin", "reviewer"}),
        ),
        "appeal_decide": (
            "post",
            url("appeal_decide", decide_me.pk),
            {"outcome": "dismissed", "reasons": "程序合规"},
            {},
            expect({HANDLER}, 302, forbidden=OWN | {"cb_admin", "reviewer"}),
        ),
    }
