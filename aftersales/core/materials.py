"""The application materials of domain.md §4: which there are, which are required."""

from __future__ import annotations

from dataclasses import dataclass

from .text import Text


@dataclass(frozen=True, slots=True)
class MaterialType:
    code: str
    title: Text
    required: bool


MATERIAL_TYPES: tuple[MaterialType, ...] = (
    MaterialType("application_form", Text("认证申请书", "application form"), True),
    MaterialType("business_licence", Text("营业执照", "business licence"), True),
    MaterialType("permits", Text("行政许可证明（如需）", "permits (where required)"), False),
    MaterialType("scope_description", Text("认证范围内产品/服务说明", "products/services in scope"), True),
    MaterialType("laws_list", Text("适用法律法规及标准清单", "applicable laws and standards"), True),
    MaterialType(
        "organisation_profile",
        Text("组织简介及组织架构图（含售后服务机构）", "organisation profile and chart (incl. after-sales)"),
        True,
    ),
    MaterialType("outlets_list", Text("销售及服务网点清单", "sales and service outlets"), True),
    MaterialType("sales_methods", Text("销售方式说明", "sales methods"), False),
    MaterialType(
        "system_description",
        Text(
            "售后服务体系说明（自有/委托网点、删减及理由、投入、资金）",
            "after-sales system description (outlets, exclusions, investment)",
        ),
        True,
    ),
    MaterialType("other_certificates", Text("其他认证证书", "other certificates"), False),
    MaterialType("system_documents", Text("体系文件及文件清单", "system documents and their list"), True),
    MaterialType("staff_list", Text("人员名单", "staff list"), False),
    MaterialType("manager_list", Text("售后服务管理师名单及证书", "certified after-sales service managers"), True),
    MaterialType("multi_site_list", Text("多场所清单", "multi-site list"), False),
    MaterialType("complaint_records", Text("投诉处理记录", "complaint records"), False),
    MaterialType("training_records", Text("培训记录", "training records"), False),
    MaterialType("spare_parts_list", Text("备件清单及价格", "spare parts and prices"), False),
    MaterialType("tool_list", Text("工具清单", "tool list"), False),
    MaterialType("customer_list", Text("顾客清单", "customer list"), False),
    MaterialType("remote_audit_info", Text("远程审核信息", "remote-audit information"), False),
    MaterialType("other", Text("其他材料", "other materials"), False),
)
BY_CODE = {m.code: m for m in MATERIAL_TYPES}
REQUIRED = tuple(m.code for m in MATERIAL_TYPES if m.required)
