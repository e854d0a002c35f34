"""Small mappings and CSV builders for the records tests."""

from aftersales.core.records.mapping import load_mapping
from aftersales.core.records.parse import parse_records

COMPLAINT_MAPPING = """
format: aftersales-mapping/1
kind: complaint
encoding: {encoding}
skip_rows: {skip_rows}
columns:
  external_id: 投诉单号
  received_at: 受理时间
  category: 投诉类别
  status: 状态
  channel: 渠道
  first_response_at: 首次响应
  closed_at: 结案时间
  status_at: 状态时间
date_formats:
  default: "%Y-%m-%d %H:%M"
values:
  status: {{处理中: open, 已结案: closed, 已撤销: cancelled}}
  channel: {{电话: phone, 12315: regulator}}
categories: [产品质量, 服务态度]
"""

WORK_ORDER_MAPPING = """
format: aftersales-mapping/1
kind: work_order
encoding: utf-8
columns:
  external_id: 工单号
  received_at: 受理时间
  product: 产品
  status: 状态
  arrived_at: 到达时间
  completed_at: 完工时间
  visits: 上门次数
values:
  status: {已完工: resolved, 处理中: open}
"""

RETURN_VISIT_MAPPING = """
format: aftersales-mapping/1
kind: return_visit
encoding: utf-8
columns:
  external_id: 回访号
  subject_kind: 对象
  subject_id: 单号
  visited_at: 回访时间
  reached: 是否接通
values:
  subject_kind: {工单: work_order, 投诉: complaint}
  reached: {接通: true, 未接通: false}
"""

SURVEY_MAPPING = """
format: aftersales-mapping/1
kind: survey
encoding: utf-8
columns:
  external_id: 问卷号
  answered_at: 时间
  scale: 满分
  score: 得分
  nps: 推荐
"""

COMPLAINT_HEADER = "投诉单号,受理时间,投诉类别,状态,渠道,首次响应,结案时间,状态时间"


def complaint_mapping(encoding="utf-8", skip_rows=0):
    return load_mapping(COMPLAINT_MAPPING.format(encoding=encoding, skip_rows=skip_rows), name="test-complaints")


def parse(text, mapping, *, encoding="utf-8", filename="f.csv"):
    return parse_records(text.encode(encoding), filename=filename, mapping=mapping)


def located(result):
    """(row, column, code) of each problem."""
    return [(p.row, p.column, p.code) for p in result.problems]
