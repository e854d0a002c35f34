"""The core's message catalogue: one entry per problem code, zh-Hans and en.

Placeholders are named (`{item}`), never concatenated, so each language orders them freely.
A test checks that every code used in the core has both languages and the same placeholders.
"""

from types import MappingProxyType


def _m(zh: str, en: str) -> MappingProxyType:
    return MappingProxyType({"zh-Hans": zh, "en": en})


MESSAGES = MappingProxyType(
    {
        # --- scheme files
        "scheme_unreadable": _m("无法读取方案文件：{error}", "cannot read the scheme file: {error}"),
        "scheme_not_yaml": _m(
            "方案文件不是有效的 UTF-8 YAML：{error}", "the scheme file is not valid UTF-8 YAML: {error}"
        ),
        "scheme_unknown": _m("未知方案；已内置的方案：{known}", "unknown scheme; shipped schemes: {known}"),
        "scheme_not_mapping": _m("此处应为键值映射", "a mapping is expected here"),
        "scheme_unknown_key": _m("未知的键 “{key}”", "unknown key '{key}'"),
        "scheme_missing_key": _m("缺少必填键 “{key}”", "missing required key '{key}'"),
        "scheme_bad_value": _m("取值 “{value}” 无效，应为 {expected}", "invalid value '{value}', expected {expected}"),
        "scheme_bad_text": _m(
            "标题/说明须同时给出非空的 zh-Hans 和 en 文本", "text needs non-empty zh-Hans and en, and nothing else"
        ),
        "scheme_bad_points": _m("分值 “{value}” 不是正数", "points '{value}' are not a positive number"),
        "scheme_bad_threshold": _m(
            "等级阈值 “{value}” 须在 0 到 100 之间", "level threshold '{value}' must be within 0..100"
        ),
        "scheme_levels_order": _m("等级阈值须随等级严格递增", "level thresholds must rise strictly with the level"),
        "scheme_total_mismatch": _m(
            "一级指标分值之和为 {sum}，与总分 {total} 不符",
            "top-level points add up to {sum}, not the declared total {total}",
        ),
        "scheme_children_mismatch": _m(
            "下级指标分值之和为 {sum}，与本级分值 {points} 不符",
            "children add up to {sum}, not the node's {points} points",
        ),
        "scheme_flag_on_interior": _m(
            "标记 “{flag}” 只能用于最末级评分项", "flag '{flag}' is only allowed on items (nodes without children)"
        ),
        "scheme_duplicate_id": _m("编号 {id} 重复（首次出现于 {first}）", "duplicate id {id} (first at {first})"),
        "scheme_version_taken": _m(
            "方案 {id} 版本 {version} 已以不同内容登记（SHA-256 {sha}…）；修改后的评分表须使用新版本号",
            "scheme {id} version {version} is already registered with other content (SHA-256 {sha}…); a changed table needs a new version",
        ),
        "scheme_reference_needs_note": _m(
            "参考方案须有说明（note），写明哪些内容不是官方的",
            "a reference scheme needs a note saying what is not official",
        ),
        # --- results of an assessment (engine input)
        "item_unknown": _m("方案中没有条款 “{item}”", "no item '{item}' in the scheme"),
        "item_not_scored": _m("“{item}” 不是评分项（它有下级条款）", "'{item}' is not an item (it has children)"),
        "item_empty": _m("未填写条款编号", "the item column is empty"),
        "item_missing": _m("缺少条款 {item} 的评价结果", "no result for item {item}"),
        "item_duplicate": _m(
            "条款 {item} 出现多次（首次在第 {first} 行）", "item {item} appears more than once (first in row {first})"
        ),
        "result_missing": _m("未填写评价结果", "the result is empty"),
        "result_unknown": _m(
            "无法识别的结果 “{value}”；可用：{allowed}", "unknown result '{value}'; use one of: {allowed}"
        ),
        "sampled_not_allowed": _m("条款 {item} 不按抽样计分", "item {item} is not scored on samples"),
        "sampled_counts_missing": _m(
            "抽样结果须填写抽样数和不符合数", "a sampled result needs the sample size and the nonconforming count"
        ),
        "sampled_size_invalid": _m("抽样数 “{value}” 须为正整数", "sample size '{value}' must be a positive integer"),
        "nonconforming_invalid": _m(
            "不符合数 “{value}” 须为 0 到抽样数 {n} 之间的整数",
            "nonconforming count '{value}' must be an integer from 0 to the sample size {n}",
        ),
        "partial_not_allowed": _m("条款 {item} 不允许部分得分", "item {item} does not allow partial points"),
        "partial_missing": _m("部分得分须填写得分", "a partial result needs the points awarded"),
        "partial_out_of_range": _m(
            "得分 “{value}” 须在 0 到 {points} 之间", "points awarded '{value}' must be between 0 and {points}"
        ),
        "points_too_precise": _m("得分最多保留 {places} 位小数", "points awarded may have at most {places} decimals"),
        "na_not_excludable": _m("条款 {item} 不可删减（不适用）", "item {item} cannot be excluded (not applicable)"),
        "na_needs_reason": _m("不适用（删减）须填写理由", "not applicable (exclusion) needs a reason"),
        "value_not_expected": _m(
            "结果为 “{result}” 时此栏应为空", "this column must be empty when the result is '{result}'"
        ),
        "deduction_kind_unknown": _m(
            "特别扣分项类别 “{value}” 无法识别；可用：{allowed}",
            "unknown special-deduction kind '{value}'; use one of: {allowed}",
        ),
        "deduction_needs_reason": _m("特别扣分项须填写事实和理由", "a special deduction needs a reason"),
        "bonus_too_many": _m(
            "特别加分项最多 {max} 项，此处为第 {count} 项",
            "at most {max} special bonus allowed; this is number {count}",
        ),
        "bonus_needs_reason": _m("特别加分项须填写理由", "a special bonus needs a reason"),
        "nothing_applicable": _m("所有条款均被删减，无法计分", "every item is excluded: nothing to score"),
        "stars_context_missing": _m(
            "本方案达标满 {months} 个月后才授予星级，须给出首次达标日期和评价日期",
            "this scheme awards stars only {months} months after first reaching qualified: give the first-qualified date and the assessment date",
        ),
        # --- checklist files
        "file_unreadable": _m("无法读取文件：{error}", "cannot read the file: {error}"),
        "file_type_unknown": _m(
            "不支持的文件类型 “{suffix}”，请使用 .xlsx 或 .csv", "unsupported file type '{suffix}': use .xlsx or .csv"
        ),
        "file_encoding": _m(
            "无法识别文件编码（支持 UTF-8、带 BOM 的 UTF-8、GBK/GB18030）",
            "cannot decode the file (UTF-8, UTF-8 with BOM and GBK/GB18030 are accepted)",
        ),
        "file_empty": _m("文件中没有表头行", "the file has no header row"),
        "header_missing": _m("缺少列 “{column}”", "missing column '{column}'"),
        "header_unknown": _m("无法识别的列 “{value}”", "unknown column '{value}'"),
        "header_duplicate": _m("列 “{column}” 出现多次", "column '{column}' appears more than once"),
        "too_many_rows": _m(
            "文件超过 {limit} 行，已停止读取（清单文件远小于此）",
            "the file has more than {limit} rows; reading stopped (a checklist is much smaller)",
        ),
        "too_many_columns": _m(
            "文件有 {columns} 列，最多允许 {limit} 列", "the file has {columns} columns; at most {limit} are read"
        ),
        "cell_too_long": _m(
            "单元格有 {chars} 个字符，最多允许 {limit} 个",
            "the cell holds {chars} characters; at most {limit} are read",
        ),
        "xlsx_dimension": _m(
            "工作表声明了 {rows} 行 × {columns} 列，最多允许 {max_rows} 行 × {max_columns} 列",
            "the sheet declares {rows} rows × {columns} columns; at most {max_rows} × {max_columns} are read",
        ),
        "xlsx_unpacked": _m(
            "工作簿解压后为 {size_mb} MB，最多允许 {limit_mb} MB",
            "the workbook unpacks to {size_mb} MB; at most {limit_mb} MB are read",
        ),
        "xlsx_ratio": _m(
            "工作簿中 “{member}” 的压缩比为 {ratio} 倍（解压后 {size_mb} MB），超过允许的 {limit} 倍：疑似压缩炸弹",
            "'{member}' in the workbook is compressed {ratio} times ({size_mb} MB unpacked), more than the {limit} "
            "allowed: a zip bomb?",
        ),
        "problems_more": _m("另有 {count} 个问题未列出", "and {count} more problems not listed"),
        # --- YAML read from users and operators (aftersales/core/safe_yaml.py)
        "yaml_alias": _m(
            "第 {line} 行第 {column} 列：不接受 YAML 锚点和别名（&名称、*名称），请写出完整内容",
            "line {line}, column {column}: YAML anchors and aliases (&name, *name) are not accepted; write the "
            "content out in full",
        ),
        # --- service records: mapping files (aftersales/core/records/mapping.py)
        "records_mapping_unreadable": _m("无法读取映射文件：{error}", "cannot read the mapping file: {error}"),
        "records_mapping_not_yaml": _m(
            "映射文件不是有效的 UTF-8 YAML：{error}", "the mapping file is not valid UTF-8 YAML: {error}"
        ),
        "records_mapping_unknown": _m(
            "未知映射 “{name}”；已内置的映射：{known}", "unknown mapping '{name}'; shipped mappings: {known}"
        ),
        "records_mapping_not_mapping": _m("此处应为键值映射", "a mapping is expected here"),
        "records_mapping_unknown_key": _m("未知的键 “{key}”", "unknown key '{key}'"),
        "records_mapping_missing_key": _m("缺少必填键 “{key}”", "missing required key '{key}'"),
        "records_mapping_bad_value": _m(
            "取值 “{value}” 无效，应为 {expected}", "invalid value '{value}', expected {expected}"
        ),
        "records_mapping_wrong_kind": _m(
            "所选字段映射用于“{mapping_kind}”记录，而本次导入的是“{kind}”：请选择{kind}的映射",
            "the mapping is for {mapping_kind} records, but this import is of {kind}: choose a mapping for {kind}",
        ),
        "records_mapping_unknown_field": _m(
            "“{field}” 不是{kind}的标准字段；可用：{allowed}",
            "'{field}' is not a canonical field of {kind}; use one of: {allowed}",
        ),
        "records_mapping_required_unmapped": _m(
            "必填字段 “{field}” 没有对应的源列", "required field '{field}' has no source column"
        ),
        "records_mapping_bad_date_format": _m(
            "日期格式 “{value}” 无效（应含 %Y、%m、%d 等指令）",
            "invalid date format '{value}' (it needs directives such as %Y, %m, %d)",
        ),
        # --- service records: import files (aftersales/core/records/parse.py)
        "records_file_type": _m(
            "不支持的文件类型 “{suffix}”，请使用 .csv 或 .xlsx", "unsupported file type '{suffix}': use .csv or .xlsx"
        ),
        "records_file_unreadable": _m("无法读取文件：{error}", "cannot read the file: {error}"),
        "records_file_encoding": _m(
            "文件不是映射规定的 {encoding} 编码（第 {line} 行起无法解码）；请检查映射中的 encoding",
            "the file is not in the mapping's encoding {encoding} (cannot decode from line {line}); check the mapping's encoding",
        ),
        "records_file_empty": _m(
            "文件中没有表头行（已跳过 {skip_rows} 行）", "the file has no header row (after skipping {skip_rows} rows)"
        ),
        "records_no_rows": _m("文件中没有数据行", "the file has no data rows"),
        "records_sheet_missing": _m(
            "工作簿中没有工作表 “{sheet}”；现有：{known}", "the workbook has no sheet '{sheet}'; it has: {known}"
        ),
        "records_header_missing": _m(
            "缺少映射为 “{field}” 的列 “{column}”", "missing column '{column}' (mapped to '{field}')"
        ),
        "records_header_duplicate": _m("列 “{column}” 出现多次", "column '{column}' appears more than once"),
        "records_wrong_file": _m(
            "映射 {mapping}（{kind}）所列的必填列在文件中一个也没有找到（如 {expected}）：文件或映射选错了？",
            "none of the required columns of mapping {mapping} ({kind}) is in the file (such as {expected}): wrong file or wrong mapping?",
        ),
        "records_too_many_rows": _m(
            "文件超过 {limit} 个数据行，已停止读取；请分成几个文件导入",
            "the file has more than {limit} data rows; reading stopped: import it in several files",
        ),
        "records_too_many_columns": _m(
            "文件有 {columns} 列，最多允许 {limit} 列", "the file has {columns} columns; at most {limit} are read"
        ),
        "records_cell_too_long": _m(
            "单元格有 {chars} 个字符，最多允许 {limit} 个",
            "the cell holds {chars} characters; at most {limit} are read",
        ),
        "records_xlsx_dimension": _m(
            "工作表声明了 {rows} 行 × {columns} 列，最多允许 {max_rows} 行 × {max_columns} 列",
            "the sheet declares {rows} rows × {columns} columns; at most {max_rows} × {max_columns} are read",
        ),
        "records_xlsx_unpacked": _m(
            "工作簿解压后为 {size_mb} MB，最多允许 {limit_mb} MB",
            "the workbook unpacks to {size_mb} MB; at most {limit_mb} MB are read",
        ),
        "records_xlsx_ratio": _m(
            "工作簿中 “{member}” 的压缩比为 {ratio} 倍（解压后 {size_mb} MB），超过允许的 {limit} 倍：疑似压缩炸弹",
            "'{member}' in the workbook is compressed {ratio} times ({size_mb} MB unpacked), more than the {limit} "
            "allowed: a zip bomb?",
        ),
        "records_date_implausible": _m(
            "日期 “{value}” 不可信：应在 {first} 至 {last} 之间",
            "date '{value}' is implausible: expected from {first} to {last}",
        ),
        "records_required_missing": _m("必填字段 “{field}” 为空", "required field '{field}' is empty"),
        "records_bad_date": _m(
            "无法识别的日期时间 “{value}”，应为格式 {formats}",
            "cannot read the date/time '{value}': expected format {formats}",
        ),
        "records_bad_int": _m("“{value}” 不是整数", "'{value}' is not a whole number"),
        "records_bad_bool": _m(
            "“{value}” 不是是/否值；可用：{allowed}", "'{value}' is not a yes/no value; use one of: {allowed}"
        ),
        "records_out_of_range": _m(
            "取值 {value} 超出范围，应为 {expected}", "value {value} is out of range: expected {expected}"
        ),
        "records_unknown_status": _m(
            "无法识别的状态 “{value}”；映射中可用：{allowed}", "unknown status '{value}'; the mapping knows: {allowed}"
        ),
        "records_unknown_channel": _m(
            "无法识别的渠道 “{value}”；映射中可用：{allowed}", "unknown channel '{value}'; the mapping knows: {allowed}"
        ),
        "records_unknown_category": _m(
            "无法识别的类别 “{value}”；可用：{allowed}", "unknown category '{value}'; use one of: {allowed}"
        ),
        "records_unknown_kind_ref": _m(
            "无法识别的记录类型 “{value}”；可用：{allowed}", "unknown record kind '{value}'; use one of: {allowed}"
        ),
        "records_visit_before_subject": _m(
            "“{visited}”（{visited_value}）早于所回访记录（“{subject}”：{subject_id}）的受理时间（{received_value}）",
            "'{visited}' ({visited_value}) is before the record it follows up ('{subject}': {subject_id}) "
            "was received ({received_value})",
        ),
        "records_order": _m(
            "“{later}”（{later_value}）早于 “{earlier}”（{earlier_value}）",
            "'{later}' ({later_value}) is before '{earlier}' ({earlier_value})",
        ),
        # --- service records: business calendar, KPIs and sampling
        "calendar_file_format": _m(
            "工作日历文件 {file} 格式不对：应为 {error}",
            "business calendar file {file} is not in the expected form: {error}",
        ),
        "calendar_file_date": _m(
            "工作日历文件 {file}：{value} 不是日期（YYYY-MM-DD）",
            "business calendar file {file}: {value} is not a date (YYYY-MM-DD)",
        ),
        "calendar_file_year": _m(
            "工作日历文件 {file}：{value} 不在 {year} 年内",
            "business calendar file {file}: {value} is not in {year}",
        ),
        "calendar_file_workday": _m(
            "工作日历文件 {file}：调休上班日 {value} 不是周六或周日",
            "business calendar file {file}: make-up working day {value} is not a Saturday or Sunday",
        ),
        "calendar_file_both": _m(
            "工作日历文件 {file}：{value} 既列为假日又列为调休上班日",
            "business calendar file {file}: {value} is listed both as a day off and as a working day",
        ),
        "calendar_file_gap": _m(
            "工作日历文件 {file} 的年份 {years} 须紧接内置日历的最后一年 {last}，中间不能缺年",
            "business calendar file {file}: its years {years} must follow the built-in calendar's last year {last} without a gap",
        ),
        "calendar_file_unreadable": _m(
            "工作日历文件 {file} 无法读取：{error}",
            "business calendar file {file} cannot be read: {error}",
        ),
        "records_calendar_range": _m(
            "日期 {value} 超出工作日历 {calendar} 的范围（{first} 至 {last}），无法计算工作时间",
            "date {value} is outside business calendar {calendar} ({first} to {last}): working time cannot be computed",
        ),
        "records_sample_size": _m(
            "样本量 {n} 无效，应为 0 到总体数 {size} 之间的整数",
            "sample size {n} is invalid: expected a whole number from 0 to the population size {size}",
        ),
        "records_sample_duplicate_key": _m(
            "抽样框中记录 “{key}” 出现多次", "record '{key}' appears more than once in the sampling frame"
        ),
        "records_sample_method": _m(
            "未知抽样方法 “{value}”；可用：{allowed}", "unknown sampling method '{value}'; use one of: {allowed}"
        ),
    }
)
