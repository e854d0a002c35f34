"""What each KPI means: title, definition and cohort in zh-Hans and en (shown with every number)."""

from __future__ import annotations

from types import MappingProxyType

from ..text import Text

T = Text

# id -> (title, definition, cohort)
KPI_TEXTS = MappingProxyType(
    {
        "first_response_time": (
            T("首次响应时间", "First-response time"),
            T(
                "从受理投诉到首次响应的时长；取中位数和 P90，按自然时间和工作时间分别计算。",
                "Time from receiving a complaint to the first response; median and P90, "
                "in wall-clock and working hours.",
            ),
            T(
                "本期受理、未撤销且有首次响应时间的投诉",
                "complaints received in the period, not cancelled, with a first response",
            ),
        ),
        "arrival_time": (
            T("上门到达时间", "On-site arrival time"),
            T(
                "从受理工单到服务人员到达的时长；中位数和 P90。",
                "Time from receiving a work order to the technician's arrival; median and P90.",
            ),
            T(
                "本期受理、未取消且已到达的维修工单",
                "work orders received in the period, not cancelled, with an arrival time",
            ),
        ),
        "resolution_time": (
            T("维修完成时间", "Resolution time (work orders)"),
            T(
                "从受理工单到维修完成的时长；中位数和 P90。",
                "Time from receiving a work order to its completion; median and P90.",
            ),
            T("本期受理、未取消且已完成的维修工单", "work orders received in the period, not cancelled, completed"),
        ),
        "complaint_closure_time": (
            T("投诉办结时间", "Complaint closure time"),
            T(
                "从受理投诉到办结的时长；中位数和 P90，另以工作日计。",
                "Time from receiving a complaint to closing it; median and P90, also in working days.",
            ),
            T("本期受理、未撤销且已办结的投诉", "complaints received in the period, not cancelled, closed"),
        ),
        "first_response_on_time": (
            T("首次响应及时率", "First response on time"),
            T(
                "首次响应时间（自然时间）不超过承诺小时数的投诉所占比例。",
                "Share of complaints answered within the published commitment (wall-clock hours).",
            ),
            T(
                "本期受理、未撤销且有首次响应时间的投诉",
                "complaints received in the period, not cancelled, with a first response",
            ),
        ),
        "arrival_on_time": (
            T("上门及时率", "Arrival on time"),
            T(
                "到达时间（自然时间）不超过承诺小时数的工单所占比例。",
                "Share of work orders where the technician arrived within the published commitment (wall-clock hours).",
            ),
            T(
                "本期受理、未取消且已到达的维修工单",
                "work orders received in the period, not cancelled, with an arrival time",
            ),
        ),
        "completion_on_time": (
            T("维修及时率", "Completion on time"),
            T(
                "完成时间（自然时间）不超过承诺小时数的工单所占比例。",
                "Share of work orders completed within the published commitment (wall-clock hours).",
            ),
            T("本期受理、未取消且已完成的维修工单", "work orders received in the period, not cancelled, completed"),
        ),
        "complaint_closure_on_time": (
            T("投诉按时办结率", "Complaints closed on time"),
            T(
                "办结用时（工作日）不超过承诺工作日数的投诉所占比例。",
                "Share of complaints closed within the published commitment in working days.",
            ),
            T("本期受理、未撤销且已办结的投诉", "complaints received in the period, not cancelled, closed"),
        ),
        "complaint_deadline_met": (
            T("投诉期限内办结率", "Complaints closed by their deadline"),
            T(
                "办结时间不晚于记录中期限（如监管部门期限）的投诉所占比例。",
                "Share of complaints closed no later than the deadline recorded with them (e.g. a regulator's).",
            ),
            T(
                "本期受理、未撤销、有期限且已办结的投诉",
                "complaints received in the period, not cancelled, with a deadline, closed",
            ),
        ),
        "promised_arrival_kept": (
            T("预约上门守约率", "Promised arrival kept"),
            T(
                "实际到达不晚于向用户约定时间的工单所占比例。",
                "Share of work orders where the technician arrived no later than promised to the customer.",
            ),
            T(
                "本期受理、未取消、有约定时间且已到达的维修工单",
                "work orders received in the period, not cancelled, with a promised and an actual arrival",
            ),
        ),
        "first_time_fix_rate": (
            T("一次修复率", "First-time-fix rate"),
            T("上门次数为 1 的已完成工单所占比例。", "Share of completed work orders fixed in one visit (visits = 1)."),
            T(
                "本期受理、未取消、已完成且上门次数已知的维修工单",
                "work orders received in the period, not cancelled, completed, with the number of visits known",
            ),
        ),
        "repeat_repair_30d": (
            T("30 天内返修率", "Repeat repair within 30 days"),
            T(
                "完成后 30 天内同一产品（同一序列号，或新工单注明“返修自”本工单）又有未取消工单的比例；越低越好。",
                "Share of completed work orders followed within 30 days of completion by another "
                "non-cancelled work order for the same serial number or linked to it as a repeat; lower is better.",
            ),
            T("本期受理、未取消且已完成的维修工单", "work orders received in the period, not cancelled, completed"),
        ),
        "complaint_closure_rate": (
            T("投诉办结率", "Complaint closure rate"),
            T(
                "已办结（有办结时间或状态为已关闭）的投诉所占比例。",
                "Share of complaints closed (a closing time, or the status closed).",
            ),
            T("本期受理、未撤销的投诉", "complaints received in the period, not cancelled"),
        ),
        "return_visit_rate": (
            T("回访率", "Return-visit rate"),
            T(
                "有回访记录（联系上用户，或未记录是否联系上）的已完成工单和已办结投诉所占比例。",
                "Share of completed work orders and closed complaints with a return visit that reached the customer "
                "(or did not record whether it did).",
            ),
            T(
                "本期受理、未取消的已完成工单和已办结投诉",
                "work orders completed and complaints closed, received in the period, not cancelled",
            ),
        ),
        "csat": (
            T("满意率（CSAT）", "Satisfaction (CSAT)"),
            T("得分不低于量表满分 80% 的问卷所占比例。", "Share of survey answers scoring at least 80 % of the scale."),
            T("本期作答的满意度问卷", "survey answers given in the period"),
        ),
        "csat_mean": (
            T("满意度平均分", "Mean satisfaction score"),
            T("问卷得分换算为百分制后的平均值。", "Mean of the survey scores, each scaled to 100."),
            T("本期作答的满意度问卷", "survey answers given in the period"),
        ),
        "nps": (
            T("净推荐值（NPS）", "Net Promoter Score (NPS)"),
            T(
                "推荐者（9–10 分）百分比减去贬损者（0–6 分）百分比。",
                "Percentage of promoters (9–10) minus percentage of detractors (0–6).",
            ),
            T("本期作答且回答了推荐意愿的问卷", "survey answers given in the period with a recommendation answer"),
        ),
    }
)

NO_RECORDS = Text("本期没有符合条件的记录", "no records in the cohort for this period")
NO_COMMITMENT = Text("企业未公布该项服务承诺", "the enterprise has published no commitment for this")
