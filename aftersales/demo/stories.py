"""Who the demo enterprises are, as their service records tell it: what each one makes or services
(product categories that belong to its trade), how well it keeps its promises (a tier that matches
its certification story), how many records it has and over which days.

`TRADE_PRODUCTS` maps an organisation's industry (`Organisation.industry`, as the demo registers
it) to the product categories a company of that trade has work orders for; a test asserts that
every demo enterprise's records stay inside its trade.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

# product categories (产品类别) by family
LARGE = ("空调", "冰箱", "洗衣机", "热水器", "电视机")
KITCHEN = ("吸油烟机", "燃气灶", "洗碗机", "消毒柜", "集成灶", "嵌入式蒸烤箱")
SMALL = ("电饭煲", "电水壶", "电磁炉", "电风扇", "微波炉", "电烤箱")
SMART = ("扫地机器人", "空气净化器")
HOME = ("智能马桶盖", "净水器")
ELECTRONICS = ("智能音箱", "蓝牙耳机")

TRADE_PRODUCTS: MappingProxyType[str, frozenset[str]] = MappingProxyType(
    {
        "家用电器制造": frozenset(LARGE + SMALL),
        "家用电器零售": frozenset(LARGE + KITCHEN + SMALL),
        "家用电器销售": frozenset(LARGE + KITCHEN + SMALL),
        "家用电器批发": frozenset(LARGE + KITCHEN + SMALL),
        "家电维修服务": frozenset(LARGE + KITCHEN),
        "家电安装维修服务": frozenset(LARGE + KITCHEN),
        "厨房电器制造": frozenset(KITCHEN),
        "小家电制造": frozenset(SMALL),
        "智能家电制造": frozenset(SMART),
        "家居用品制造": frozenset(HOME),
        "消费电子": frozenset(ELECTRONICS),
    }
)

# fault descriptions (故障描述) a work order for the product may carry
FAULTS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "空调": ("不制冷", "室内机漏水", "外机噪音大", "显示 E1 故障码"),
        "冰箱": ("冷藏室不冷", "结霜严重", "压缩机异响"),
        "洗衣机": ("不排水", "脱水时振动大", "门锁打不开"),
        "热水器": ("不出热水", "点火失败", "漏水"),
        "电视机": ("无图像", "遥控失灵", "屏幕闪烁"),
        "吸油烟机": ("吸力不足", "噪音大", "漏油", "不通电"),
        "燃气灶": ("打不着火", "火力小", "熄火保护失灵"),
        "洗碗机": ("不排水", "洗不干净", "漏水"),
        "消毒柜": ("不加热", "柜门关不严"),
        "集成灶": ("吸力不足", "点火失败", "蒸箱缺水报警"),
        "嵌入式蒸烤箱": ("温度不准", "蒸汽不足", "门封漏气"),
        "电饭煲": ("不加热", "煮饭夹生", "内胆涂层脱落"),
        "电水壶": ("不断电", "漏水"),
        "电磁炉": ("不加热", "显示 E0 故障码"),
        "电风扇": ("不转", "摇头失灵"),
        "微波炉": ("不加热", "转盘不转"),
        "电烤箱": ("温度不准", "发热管不热"),
        "扫地机器人": ("不回充", "边刷不转", "建图失败"),
        "空气净化器": ("滤网提示异常", "风量小"),
        "智能马桶盖": ("不出水", "座圈不加热"),
        "净水器": ("出水慢", "漏水", "滤芯提示异常"),
        "智能音箱": ("连不上网络", "无声音"),
        "蓝牙耳机": ("单耳无声", "无法充电", "连接断续"),
    }
)


@dataclass(frozen=True)
class Tier:
    """How well an enterprise keeps its promises, in whole percentages."""

    punctual: int  # responses, arrivals, completions, closures and appointments on time
    first_fix: int  # completed work orders fixed in one visit
    serial_space: int  # serial numbers per 4 work orders: a smaller space means more repeat repairs
    relink: int  # per mille of work orders recorded as a repeat of an earlier one
    unresolved: int  # complaints left open
    reached: int  # return visits that reach the customer
    satisfied: int  # surveys and return visits satisfied
    promoters: int  # survey answers of 9-10 (the rest 3-8)
    incomplete: int  # work orders without fault description or model (information missing)
    # the times a tier aims at when the enterprise has published no commitment (hours; working days)
    first_response_hours: int = 24
    arrival_hours: int = 48
    completion_hours: int = 96
    closure_days: int = 15


TIERS: MappingProxyType[str, Tier] = MappingProxyType(
    {
        "excellent": Tier(punctual=98, first_fix=95, serial_space=40, relink=2, unresolved=1, reached=96,
                          satisfied=95, promoters=88, incomplete=0),
        "good": Tier(punctual=92, first_fix=88, serial_space=12, relink=5, unresolved=3, reached=92,
                     satisfied=88, promoters=72, incomplete=2),
        "fair": Tier(punctual=82, first_fix=80, serial_space=6, relink=10, unresolved=6, reached=88,
                     satisfied=78, promoters=55, incomplete=5),
        "weak": Tier(punctual=58, first_fix=66, serial_space=3, relink=20, unresolved=15, reached=75,
                     satisfied=55, promoters=30, incomplete=60),
    }
)  # fmt: skip


@dataclass(frozen=True)
class Story:
    seed: int
    tier: str  # a key of TIERS
    products: tuple[str, ...]
    work_orders: int
    complaints: int
    return_visits: int  # % of completed work orders and closed complaints visited
    surveys: int  # % of completed work orders followed by a satisfaction survey
    # published commitments: first response h, arrival h, completion h, complaint closure working days
    commitments: tuple[str, str, str, str] | None
    model_prefix: str
    onsite: bool = True  # technicians go to the customer (else the product is brought or sent in)
    first_day: date | None = None  # no records received before (the business started later)
    last_day: date | None = None  # none after (the business moved to another company)
    sample: bool = False  # an audit sample of its work orders is drawn


_STANDARD = ("4", "24", "72", "10")

# enterprise name -> its story; every enterprise of the demo has one
STORIES: MappingProxyType[str, Story] = MappingProxyType(
    {
        # the three of the README's logins table: 五星 candidate, 三星, not yet qualified
        "杭州海川家电有限公司": Story(11, "excellent", ("空调", "冰箱", "洗衣机", "热水器"), 3000, 400, 90, 12,
                                      ("2", "24", "48", "5"), "HC", sample=True),
        "成都锦程电器销售有限公司": Story(22, "fair", ("空调", "冰箱", "洗衣机", "电视机", "热水器", "吸油烟机"), 1500,
                                          250, 30, 8, _STANDARD, "JC", sample=True),
        "佛山市顺德区恒泰厨具有限公司": Story(33, "weak", ("吸油烟机", "燃气灶", "洗碗机", "消毒柜"), 800, 150, 0, 6,
                                              None, "HT", sample=True),
        # the other applicants (demo/cases.py)
        "宁波瑞丰厨电有限公司": Story(41, "good", ("吸油烟机", "燃气灶", "消毒柜"), 700, 100, 70, 8, _STANDARD, "RF"),
        "青岛海岳电器服务有限公司": Story(42, "good", ("空调", "冰箱", "洗衣机", "热水器"), 600, 90, 70, 8, _STANDARD,
                                          "HY"),
        "苏州信达家居用品有限公司": Story(43, "fair", ("智能马桶盖", "净水器"), 500, 80, 55, 8, _STANDARD, "XD"),
        "武汉江汉电子科技有限公司": Story(44, "fair", ("智能音箱", "蓝牙耳机"), 500, 80, 40, 8, _STANDARD, "JH",
                                          onsite=False),
        "合肥安和家电维修服务有限公司": Story(45, "fair", ("空调", "洗衣机", "热水器", "吸油烟机"), 500, 80, 50, 8,
                                              _STANDARD, "AH"),
        "厦门鹭岛小家电有限公司": Story(46, "weak", ("电饭煲", "电水壶"), 300, 40, 20, 6, None, "LD", onsite=False,
                                        first_day=date(2026, 9, 1)),
        "南京星河智能家电有限公司": Story(47, "good", ("扫地机器人", "空气净化器"), 600, 90, 65, 8, _STANDARD, "XH"),
        "西安秦川家电服务有限公司": Story(48, "fair", ("空调", "热水器", "吸油烟机", "洗衣机"), 500, 80, 50, 8,
                                          _STANDARD, "QC"),
        "长沙美林电器有限公司": Story(49, "fair", ("电饭煲", "电磁炉", "电风扇", "电水壶"), 500, 80, 40, 8, _STANDARD,
                                      "ML", onsite=False),
        # the certified ones (demo/certificates.py)
        "北京京华家电有限公司": Story(51, "good", ("电视机", "空调"), 800, 120, 75, 8, ("2", "24", "48", "7"), "JW"),
        "深圳鹏达电器有限公司": Story(52, "fair", ("微波炉", "电烤箱"), 500, 80, 35, 8, _STANDARD, "PD",
                                      onsite=False),
        "广州穗安家电服务有限公司": Story(53, "weak", ("空调", "冰箱", "洗衣机", "电视机"), 500, 80, 30, 6, _STANDARD,
                                          "SA"),
        "天津津门电器有限公司": Story(54, "good", ("空调", "冰箱", "洗衣机", "电视机"), 600, 90, 60, 8, _STANDARD,
                                      "JM", last_day=date(2026, 4, 30)),
        "重庆山城家电有限公司": Story(55, "fair", ("吸油烟机", "燃气灶", "电饭煲", "电磁炉"), 500, 80, 45, 8,
                                      _STANDARD, "SC"),
    }
)  # fmt: skip
