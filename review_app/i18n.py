"""The review app's words, in Simplified Chinese first and in English: one table, one lookup.

    from review_app.i18n import t
    st.header(t("queue.title"))                 # 审核队列 / Review queue
    st.error(t("login.locked", until="10:15"))  # parameters by name, str.format

The language is the current user's (st.session_state["lang"], chosen in the sidebar and kept per
user by pipeline.review.users.set_language; "zh" before login and by default). A page of another branch
adds its keys to STRINGS (both languages) and calls t(); a missing key or language shows the key
itself, never an exception. Field labels come from the spec (Chinese) or FIELD_EN; flag wordings
from mapping.flags, with reviewer-facing rewordings here (REVIEWER_FLAGS)."""

from __future__ import annotations

import re
from typing import Any

from mapping.flags import FLAGS
from pipeline.kernel.thresholds import CAPTURE_LABELS
from pipeline.quality.audit import STATE_LABELS
from pipeline.runs.completion import COLUMN_LABELS

LANGUAGES = {"zh": "中文", "en": "English"}
DEFAULT = "zh"

STRINGS: dict[str, tuple[str, str]] = {
    # --- the app, navigation, login
    "app.title": ("殡葬登记簿审核", "Funeral register review"),
    "nav.go_to": ("页面", "Go to"),
    "nav.language": ("语言 / Language", "Language / 语言"),
    "nav.logout": ("退出登录", "Log out"),
    "nav.queue": ("审核队列", "Queue"),
    "nav.record": ("逐条审核", "Record"),
    "nav.duplicates": ("疑似重复", "Duplicates"),
    "nav.arbitration": ("仲裁", "Arbitration"),
    "nav.intake": ("收件", "Intake"),
    "nav.users": ("用户与运行", "Users and runs"),
    "nav.ledgers": ("登记簿设置", "Ledger settings"),
    "nav.history": ("记录历史", "Record history"),
    "nav.completion": ("完成情况", "Completion"),
    "nav.quality": ("抽检质量", "Audit quality"),
    "nav.thresholds": ("自动通过阈值", "Auto-accept thresholds"),
    "nav.lexicon": ("地名词库", "Place lexicon"),
    "nav.crosscheck": ("名册核查", "Roll cross-check"),
    "login.user": ("用户名", "User name"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Log in"),
    "login.reloaded_early": (
        "页面在登录完成之前被刷新，会话未能保存，请重新登录。（登录后请等页面显示完毕再刷新。）",
        "The page was reloaded before the login was complete, so the session was not kept: please log in again.",
    ),
    "login.wrong": ("用户名或密码错误。", "Wrong user name or password."),
    "login.locked": (
        "登录失败次数过多，该用户名已锁定至 {until}。请稍后再试，或请管理员解除锁定。",
        "Too many failed logins: this user name is locked until {until}. Try again later, or ask an administrator to unlock it.",
    ),
    "login.idle": (
        "长时间未操作，已自动退出，请重新登录。",
        "You were logged out after a long time without activity; please log in again.",
    ),
    "role.archivist": ("档案员", "archivist"),
    "role.reviewer": ("审核员", "reviewer"),
    "role.administrator": ("管理员", "administrator"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    # --- kinds, statuses, actions
    "kind.cremation": ("火化登记", "cremation register"),
    "kind.sea_burial": ("海葬登记", "sea burial register"),
    "status.needs_review": ("待审核", "waiting for review"),
    "status.approved": ("已通过", "approved"),
    "status.auto_accepted": ("自动通过", "auto-accepted"),
    "status.rejected": ("已驳回", "rejected"),
    "status.new": ("新建", "new"),
    "action.edit": ("更正", "correction"),
    "action.confirm": ("核对无误", "confirmed"),
    "action.not_on_scan": ("标为扫描件上没有", "marked not on the scan"),
    "action.approve": ("通过", "approved"),
    "action.reject": ("驳回", "rejected"),
    "action.reopen": ("重新打开", "reopened"),
    "hist.link": ("与记录 {other}：{status}", "with record {other}: {status}"),
    "link.status.uncertain": ("疑似重复，待决定", "possible duplicate, to decide"),
    "link.status.merged": ("同一人（已合并）", "one person (merged)"),
    "link.status.kept_apart": ("不是同一人", "not the same person"),
    "action.merge": ("合并为同一人", "merged"),
    "action.keep_apart": ("确认不是同一人", "kept apart"),
    # --- 名册核查: the cross-check page (review_app.crosscheck; pipeline.crosscheck's Chinese words for the
    # department's files stay there, these are the reviewer's)
    "xc.title": ("名册核查", "Roll cross-check"),
    "xc.intro": (
        "其他部门名册（低保、养老金、户籍、婚姻登记）与平台逝者的比对结果。请逐条核对名册记录与逝者记录是否为同一人。",
        "Rolls of other departments (minimum living allowance, pensions, household registration, marriages) compared "
        "with the deceased on the platform. Check, hit by hit, whether the roll entry and the deceased are the same person.",
    ),
    "xc.no_checks": (
        "还没有核查。管理员可用命令 `backfill crosscheck 名册文件 --kind dibao` 发起核查。",
        "No check yet. An administrator starts one with `backfill crosscheck ROLL_FILE --kind dibao`.",
    ),
    "xc.check": ("核查", "Check"),
    "xc.check_label": ("核查 {id} · {file} · {kind} · 待复核 {waiting}", "Check {id} · {file} · {kind} · {waiting} to review"),
    "xc.tier_filter": ("比对等级", "Match level"),
    "xc.auto": ("自动确认", "Confirmed automatically"),
    "xc.waiting": ("待复核", "To review"),
    "xc.confirmed": ("已确认", "Confirmed"),
    "xc.not_same": ("非同一人", "Not the same person"),
    "xc.done": ("这次核查没有待复核的命中了。", "Nothing of this check is left to review."),
    "xc.closed": (
        "这次核查已关闭：不再复核，未确认的名册记录只留摘要。",
        "This check is closed: no more reviewing; roll entries not confirmed keep only a digest.",
    ),
    "xc.running": (
        "这次核查尚未完成（{status}）：已找到的命中可以先复核。",
        "This check has not finished ({status}): the hits found so far can be reviewed already.",
    ),
    "xc.hit": ("{where} · {tier} · 分数 {score}", "{where} · {tier} · score {score}"),
    "xc.roll_side": ("名册记录", "Roll entry"),
    "xc.platform_side": ("平台逝者记录", "Deceased on the platform"),
    "xc.field": ("项目", "item"),
    "xc.value": ("内容", "value"),
    "xc.evidence": ("比对依据", "Evidence"),
    "xc.roll": ("名册", "roll"),
    "xc.platform": ("平台", "platform"),
    "xc.result": ("比对结果", "compared"),
    "xc.reason": ("理由（“不是同一人”时请写明）", "Reason (say why when “not the same person”)"),
    "xc.confirm": ("确认：同一人", "Confirm: the same person"),
    "xc.not_same_btn": ("不是同一人", "Not the same person"),
    "xc.skip": ("跳过", "Skip"),
    "xc.confirmed_msg": ("{where}：已确认为同一人。", "{where}: confirmed as the same person."),
    "xc.not_same_msg": ("{where}：已记为不是同一人。", "{where}: recorded as not the same person."),
    "xc.reveal": ("显示完整身份证号", "Show the full ID numbers"),
    "xc.reveal_reason": ("查看原因（会记录）", "Why you look (it is logged)"),
    "xc.reveal_btn": ("显示", "Show"),
    "xc.revealed": ("名册：{roll}　平台：{platform}", "Roll: {roll}   platform: {platform}"),
    "xc.history": ("最近的决定", "Latest decisions"),
    "xc.when": ("时间", "when"),
    "xc.who": ("人员", "who"),
    "xc.action": ("操作", "action"),
    "xc.why": ("理由", "why"),
    "xc.no_history": ("这次核查还没有人工决定。", "Nobody has decided a hit of this check yet."),
    "xc.no_scan": (
        "这位逝者不是从本工作库的登记簿扫描件载入的，没有扫描图像。",
        "This deceased was not loaded from a register scan of this working store: there is no scan.",
    ),
    "xc.scan_caption": ("{ledger} 第 {page} 页 第 {row} 行", "{ledger} page {page} row {row}"),
    "xc.finding": ("核查结论", "Finding"),
    "xc.list": ("待复核列表（前 50 条）", "To review (first 50)"),
    "xc.where": ("名册位置", "place in the roll"),
    "xc.score": ("分数", "score"),
    "xc.months": ("死亡后发放月数", "months paid after death"),
    "xc.positions": ("（第 {positions} 位）", " (digit {positions})"),
    "xc.purged_note": (
        "决定“不是同一人”后，核查关闭时这条名册记录只留摘要，不留个人信息。",
        "Once “not the same person” is decided, closing the check keeps only a digest of this roll entry, no personal data.",
    ),
    "xc.no_id_note": (
        "双方没有可比的身份证号：也可能是同名、同出生日期的另一人，请用户籍或其他材料核实后再确认。",
        "No ID numbers to compare: it may be another person of the same name and birth date; check the household "
        "register or other papers before confirming.",
    ),
    "xc.conflict_note": (
        "身份证号相同但姓名不符：可能是名册录错了号码，请核实名册上的这个人。",
        "Same ID number but the names differ: the roll may hold a mistyped number; check this person on the roll.",
    ),
    "xc.err.decided": ("这条命中已由 {who} 决定，请看下一条。", "{who} decided this hit meanwhile; go on with the next one."),
    "xc.someone": ("他人", "Someone else"),
    "xc.err.closed": ("这次核查已关闭，不能再作决定。", "This check is closed: its hits can no longer be decided."),
    "xc.label.name": ("姓名", "name"),
    "xc.label.id_number": ("公民身份号码", "ID number"),
    "xc.label.id_written": ("身份证号（名册原文）", "ID number (as on the roll)"),
    "xc.label.birth_date": ("出生日期", "date of birth"),
    "xc.label.sex": ("性别", "sex"),
    "xc.label.address": ("地址", "address"),
    "xc.label.division": ("行政区划", "division"),
    "xc.label.roll_key": ("名册编号", "roll number"),
    "xc.label.last_date": ("最后发放日期", "last payment"),
    "xc.label.status_date": ("状态日期", "status date"),
    "xc.label.status": ("状态", "status"),
    "xc.label.deceased_name": ("姓名", "name"),
    "xc.label.household_address": ("户籍地址", "household address"),
    "xc.label.household_division_code": ("户籍地", "household registration"),
    "xc.label.death_date": ("死亡日期", "date of death"),
    "xc.label.cremation_date": ("火化日期", "date of cremation"),
    "xc.label.scattering_date": ("海葬日期", "date of sea burial"),
    "xc.label.funeral_home_code": ("殡仪馆", "funeral home"),
    "xc.label.cremation_cert_no": ("火化证明编号", "cremation certificate no."),
    "xc.label.source_file": ("登记簿", "register"),
    "xc.label.source_page": ("页", "page"),
    "xc.label.source_row": ("行", "row"),
    "xc.label.sex_code": ("性别", "sex"),
    "xc.label.birth_from_id": ("出生日期取自身份证号", "birth date taken from the ID number"),
    "xc.sex.1": ("男", "male"),
    "xc.sex.2": ("女", "female"),
    "xc.action.confirm": ("确认同一人", "confirmed the same person"),
    "xc.action.not_same": ("不是同一人", "not the same person"),
    "xc.action.reveal": ("查看完整号码", "looked at the full numbers"),
    "xc.action.export": ("导出", "exported"),
    "xc.action.close": ("关闭核查", "closed the check"),
    "xc.tier.id_exact": ("身份证号一致", "same ID number"),
    "xc.tier.id_name_conflict": ("身份证号一致但姓名不符", "same ID number, names differ"),
    "xc.tier.id_near": ("身份证号差一位", "ID number one digit apart"),
    "xc.tier.name_birth_place": ("无身份证号：姓名、出生日期、地点", "no ID number: name, birth date, place"),
    "xc.ev.id_number": ("身份证号", "ID number"),
    "xc.ev.name": ("姓名", "name"),
    "xc.ev.birth_date": ("出生日期", "date of birth"),
    "xc.ev.sex": ("性别", "sex"),
    "xc.ev.place": ("地点", "place"),
    "xc.how.same": ("一致", "same"),
    "xc.how.exact": ("一致", "same"),
    "xc.how.variant": ("异体字/繁体字", "variant or traditional character"),
    "xc.how.confusable": ("形近字", "look-alike character"),
    "xc.how.homophone": ("同音字", "same sound"),
    "xc.how.similar": ("相近", "similar"),
    "xc.how.different": ("不同", "different"),
    "xc.how.missing": ("缺", "missing"),
    "xc.how.one_digit": ("差一位", "one digit differs (check digit broken)"),
    "xc.how.one_part": ("年月日有一项不同", "one of year, month, day differs"),
    "xc.how.unknown": ("不详", "unknown"),
    "xc.kind.dibao": ("最低生活保障（低保）名册", "minimum living allowance (dibao) roll"),
    "xc.kind.pension": ("养老金领取名册", "pension roll"),
    "xc.kind.hukou": ("户籍人口名册", "household registration roll"),
    "xc.kind.marriage": ("婚姻登记名册", "marriage register"),
    "xc.kind.other": ("其他名册", "other roll"),
    "xc.status.running": ("进行中", "running"),
    "xc.status.interrupted": ("已中断", "interrupted"),
    "xc.status.failed": ("失败", "failed"),
    "xc.died": ("已死亡", "died"),
    "xc.died_on": ("已于 {death} 死亡", "died on {death}"),
    "xc.died_before": ("已于 {death} 前死亡（海葬日期）", "died before {death} (the sea burial's date)"),
    "xc.paid_months": (
        "{died}，死亡后仍发放 {n} 个月（最后发放 {when}）",
        "{died}; still paid {n} months after death (last paid {when})",
    ),
    "xc.paid_same_month": (
        "{died}，死亡当月死亡日之后仍有发放（{when}）",
        "{died}; paid after the day of death in the month of death ({when})",
    ),
    "xc.not_paid": ("{died}，死亡后未再发放，请从名册中移除", "{died}; not paid after death: remove from the roll"),
    "xc.no_pay_dates": (
        "{died}，仍在名册中（名册无发放日期，无法计算死亡后发放月数）",
        "{died}; still on the roll (the roll has no payment dates: months paid after death cannot be counted)",
    ),
    "xc.hukou": ("{died}，户籍仍未注销", "{died}; household registration not cancelled yet"),
    "xc.marriage": ("{died}，婚姻登记中仍为在婚", "{died}; still married in the marriage register"),
    "xc.on_roll": ("{died}，仍在名册中", "{died}; still on the roll"),
    # --- pipeline errors a user meets on the admin pages (error_text)
    "users.err.name_empty": ("请填写用户名。", "Enter a user name."),
    "users.err.name": (
        "用户名“{name}”不可用：须为 2–80 个字母、数字或 _ . @ -。",
        "The user name “{name}” cannot be used: 2-80 letters, digits, _ . @ -.",
    ),
    "users.err.password": ("密码太短：至少 {n} 个字符。", "The password is too short: at least {n} characters."),
    "users.err.exists": ("用户 {name} 已存在。", "User {name} already exists."),
    "launch.err.folder": (
        "运行流水线的机器上没有“{folder}”这个文件夹：请检查路径，填写存放扫描件的文件夹。",
        "There is no folder “{folder}” on the machine that runs the pipeline: check the path; give the folder that holds the scans.",
    ),
    "launch.err.folder_file": (
        "“{folder}”是一个文件，不是文件夹：请填写存放扫描件的文件夹，而不是单个文件。",
        "“{folder}” is a file, not a folder: give the folder that holds the scans, not one file.",
    ),
    "launch.err.folder_empty": ("请填写扫描文件夹。", "Give the scans folder."),
    "launch.err.year": (
        "年份“{year}”无法识别：请写一个年份（如 2013）或一个范围（如 2010-2012）。",
        "The year “{year}” is not understood: give a year (e.g. 2013) or a range (e.g. 2010-2012).",
    ),
    # --- confidence in words
    "conf.high": ("把握大", "sure"),
    "conf.ok": ("把握较大", "fairly sure"),
    "conf.low": ("把握不足", "unsure"),
    "conf.very_low": ("把握很小", "very unsure"),
    # --- queue
    "queue.title": ("审核队列", "Review queue"),
    "queue.waiting": ("待审核记录", "Records waiting"),
    "queue.start": ("开始审核（领取下一条）", "Start reviewing (claim the next record)"),
    "queue.page_of": ("页码（共 {n} 页）", "Page (of {n})"),
    "queue.open_id": ("打开记录编号", "Open record #"),
    "queue.open": ("打开", "Open"),
    "queue.open_placeholder": ("输入记录编号", "type a record number"),
    "record.none_typed": ("请先输入记录编号。", "Type a record number first."),
    "record.no_such": (
        "没有编号为 {rid} 的记录：现有记录的编号为 {first}–{last}。",
        "There is no record {rid}: the records are numbered {first} to {last}.",
    ),
    "record.none_yet": ("还没有任何记录：请先运行 backfill run。", "No record yet: run backfill run first."),
    "queue.check_fields": ("需核对：{fields}", "check: {fields}"),
    "queue.col.record": ("记录", "record"),
    "queue.col.ledger": ("登记簿", "ledger"),
    "queue.col.page": ("页", "page"),
    "queue.col.row": ("行", "row"),
    "queue.col.year": ("年份", "year"),
    "queue.col.home": ("殡仪馆", "funeral home"),
    "queue.col.sureness": ("最低识别把握", "least sure field"),
    "queue.col.duplicate": ("疑似重复", "duplicate?"),
    "queue.col.why": ("原因", "why"),
    "queue.col.claimed": ("审核人", "claimed by"),
    "filter.all": ("全部", "all"),
    "filter.home": ("殡仪馆", "Funeral home"),
    "filter.ledger": ("登记簿", "Ledger"),
    "filter.year": ("年份", "Year"),
    "filter.reason": ("原因", "Reason"),
    "filter.order": ("排序", "Order"),
    "reason.low_confidence": ("有字段识别把握不足", "a field read with low confidence"),
    "reason.cross_check": (
        "字段之间相互矛盾（日期、身份证号、性别等）",
        "fields disagree with each other (dates, ID number, sex…)",
    ),
    "reason.duplicate": ("可能与其他记录重复", "possible duplicate of another record"),
    "reason.corrected": ("审核员已更正过", "already corrected by a reviewer"),
    "reason.unfitted_capture": (
        "拍照或低分辨率页面（阈值未在这类页面上拟合）",
        "photographed or low-resolution page (thresholds not fitted on such pages)",
    ),
    "order.priority": ("疑似重复优先，其次把握最小，再次最早", "duplicates first, then least sure, then oldest"),
    "order.confidence": ("把握最小的优先", "least sure first"),
    "order.oldest": ("最早的优先", "oldest first"),
    "order.duplicates": ("疑似重复优先，其次最早", "possible duplicates first, then oldest"),
    # --- one record
    "rec.title": ("逐条审核", "Record"),
    "rec.heading": ("记录 {rid} · {kind} · {status}", "Record {rid} · {kind} · {status}"),
    "rec.heading_short": ("记录 {rid}", "Record {rid}"),
    "rec.where": ("{title} — {ledger}，第 {page} 页第 {row} 行", "{title} — {ledger}, page {page}, row {row}"),
    "rec.where_short": ("{ledger}，第 {page} 页第 {row} 行", "{ledger}, page {page}, row {row}"),
    "rec.strip_caption": (
        "扫描件：{ledger} · 第 {page} 页 · 第 {row} 行（可左右滚动，可放大）",
        "Scan: {ledger} · page {page} · row {row} (scrolls sideways; zoom below)",
    ),
    "rec.zoom": ("放大", "Zoom"),
    "rec.no_scan": (
        "此记录没有扫描图像（不是从图像识别的），请对照纸质登记簿核对。",
        "No scan for this record (it was not read from an image); check the values against the paper ledger.",
    ),
    "rec.no_scan_short": ("无扫描图像", "no scan"),
    "rec.scan_hidden": ("扫描图已遮挡（个人号码）", "scan hidden (personal number)"),
    "rec.scan_of": ("{field}的扫描图", "scan of {field}"),
    "rec.read_as": ("识别原文：{text}", "read as: {text}"),
    "rec.mandatory": ("必填项", "mandatory"),
    "rec.to_check": ("待处理", "to check"),
    "rec.corrected": ("已更正", "corrected"),
    "rec.corrected_by": ("{user} 已更正（{at}）", "corrected by {user} ({at})"),
    "rec.confirmed_by": ("{user} 已核对（{at}）", "confirmed by {user} ({at})"),
    "rec.marked_by": ("{user} 标为扫描件上没有（{at}）", "marked not on the scan by {user} ({at})"),
    "rec.col.field": ("字段", "field"),
    "rec.col.scan": ("扫描件", "scan"),
    "rec.col.value": ("识别值", "value"),
    "rec.col.why": ("说明", "why"),
    "rec.column_no": ("第 {n} 栏", "column {n}"),
    "rec.header_read": ("表头识别为：{text}", "header read as: {text}"),
    "rec.other_columns": (
        "本页有表头未能识别的栏目；缺少的字段可能就在其中：",
        "Columns of this page whose header was not recognized; a missing field may be one of them:",
    ),
    # --- a page whose columns are in doubt, reviewed as a page (pipeline.review.columns)
    "cols.title": ("本页各栏", "This page's columns"),
    "cols.help": (
        "本页有栏目归属存疑或未识别。确认某一栏是哪个字段后，本页（以及同册同样版式的页）会按各栏重新映射，不重新识别；"
        "已通过或已退回的记录保持不变，已改正的值保留。",
        "A column of this page is in doubt or was not recognized. Say once which field a column holds: the page (and its"
        " volume's pages of the same form) is mapped again from its cells, without OCR; approved or rejected records"
        " stay as they are, corrected values are kept.",
    ),
    "cols.col.column": ("栏", "column"),
    "cols.col.header": ("表头识别为", "header read as"),
    "cols.col.field": ("对应字段", "field"),
    "cols.col.doubt": ("存疑原因", "doubt"),
    "cols.none": ("不是我们的字段", "holds no field of ours"),
    "cols.serial": ("序号", "serial number"),
    "cols.unassigned": ("（未识别）", "(not identified)"),
    "cols.set_by": ("由 {user} 于 {at} 确认：{why}", "set by {user} at {at}: {why}"),
    "cols.pick_column": ("要确认的栏", "Column"),
    "cols.pick_field": ("该栏是", "It holds"),
    "cols.volume": ("同册同样版式的页一并适用", "Also for the volume's pages of the same form"),
    "cols.why": ("原因（必填）", "Why (required)"),
    "cols.confirm": ("确认并重新映射", "Confirm and map again"),
    "cols.saved": ("已确认第 {n} 栏；重新映射了 {pages} 页。", "Column {n} set; {pages} page(s) mapped again."),
    "cols.need_why": ("请填写原因。", "Give a reason."),
    "cols.held": (
        "第 {n} 栏已是“{field}”：请先确认那一栏是什么（另一字段或不是我们的字段）。",
        "Column {n} already holds {field}: say first what that column holds (another field, or none).",
    ),
    "cols.doubt.header_reads": ("表头读作另一字段", "its header reads as another field"),
    "cols.doubt.serial_fused": (
        "表头读作序号与该字段两栏合一（两栏之间的竖线缺失），各格开头是本页序号：已去掉序号，请对照扫描件核对",
        "its header reads as the serial's and the field's under one cell (the ruling line between them missing) and "
        "its cells begin with the page's serial: the serial was taken off each value; check them against the scan",
    ),
    "cols.doubt.cells_unlike": ("多数单元格不像该字段", "most of its cells do not look like the field"),
    "cols.doubt.cells_by_shape": (
        "表头与内容都确定该字段，未读成该字段规范写法的单元格逐格存疑（多为形近字读错）",
        "header and cells both name the field; each cell not read exactly as one of its values is in doubt "
        "(mostly look-alike glyphs misread)",
    ),
    "cols.doubt.rival": ("另一栏同样符合", "another column fits about as well"),
    "cols.doubt.elimination": ("仅靠排除法认定", "identified only by elimination"),
    "cols.doubt.disagree": ("表头与内容不一致", "its header and its cells disagree"),
    "cols.doubt.volume": ("由同册其他页判定", "told by its volume's other pages"),
    "cols.doubt.decoded": (
        "表头未读出该字段，单元格也未读成代码表的写法，仅凭识别器对各格图像的概率判定为该代码表字段，请对照扫描件核对",
        "its header was not read as the field and its cells not as the code table's wordings; it was told only by "
        "the recognizer's probabilities on the cells' images: check it against the scan",
    ),
    "cols.doubt.by_form": (
        "表头未读出该字段，单元格也未通过该字段的严格检验，仅凭各格读数的大致格式（数字读成字母、分隔符读成别的记号）"
        "判定为该字段（火化证号、日期或年龄），请对照扫描件核对",
        "its header was not read as the field and its cells failed the field's strict test; it was told only by the "
        "rough form of its readings (digits read as letters, separators as other marks) as that field (certificate "
        "number, date or age): check it against the scan",
    ),
    "cols.doubt.relation_alone": (
        "内容读作亲属关系的写法，但无法判定是谁与逝者的关系：旁边没有经办人或登记人的栏，或两人的栏都在旁边",
        "its cells read as relation wordings, but whose relation they are cannot be told: no column of the agent or "
        "the registrant stands beside it, or both do",
    ),
    "cols.doubt.two_columns": (
        "此栏可能是两栏合读成一栏（两栏之间的竖线缺失或未找到），拆开的值请逐一对照扫描件",
        "this column may hold two printed columns read as one (the ruling line between them missing or not found); "
        "check each value split from it against the scan",
    ),
    "cols.doubt.split": (
        "此栏是从合读成一栏的两栏按文字间隙拆出的（表头读作两栏的表头），请核对每个值是否归到了正确的栏",
        "split from one column holding two printed columns, at a gap in its text (its header read as two headers); "
        "check that each value went to the right column",
    ),
    "cols.doubt.split_gap": (
        "此栏是从一栏按各行文字间的空隙拆出的（原栏的表头和内容都认不出字段，两栏之间的竖线可能已丢失），请核对每个值是否归到了正确的栏",
        "split from a column neither its header nor its cells identified, at a gap its writing leaves down every row "
        "(the ruling line between two columns may be lost); check that each value went to the right column",
    ),
    "cols.doubt.read_twice": (
        "与另一栏内容重复（同一栏可能被读了两次）",
        "its cells repeat another column's (one printed column read twice)",
    ),
    "cols.doubt.other": ("其他存疑", "other doubt"),
    "rec.read_only": ("只读", "read only"),
    "rec.read_only_approved": (
        "此记录已通过审核，只读。如需更改，请管理员说明原因后重新打开。",
        "This record was approved and is read only; an administrator reopens it, with a reason, to change it.",
    ),
    "rec.read_only_auto_accepted": (
        "此记录已自动通过，只读。如需更改，请管理员说明原因后重新打开。",
        "This record was auto-accepted and is read only; an administrator reopens it, with a reason, to change it.",
    ),
    "rec.read_only_rejected": (
        "此记录已驳回，只读。如需更改，请管理员说明原因后重新打开。",
        "This record was rejected and is read only; an administrator reopens it, with a reason, to change it.",
    ),
    "rec.read_only_new": ("此记录尚未识别完成，只读。", "This record is not read yet; read only."),
    "rec.approve": ("通过", "Approve"),
    "rec.skip": ("跳过", "Skip"),
    "rec.previous": ("上一条", "Previous"),
    "rec.reject": ("驳回", "Reject"),
    "rec.reject_reason": ("驳回原因（必填）", "Reason for rejecting (required)"),
    "rec.reopen": ("重新打开", "Reopen"),
    "rec.reopen_reason": ("重新打开的原因（必填）", "Reason for reopening (required)"),
    "rec.reopened": ("记录 {rid} 已重新打开，等待审核。", "Record {rid} reopened for review."),
    "rec.approved": ("记录 {rid} 已通过。", "Record {rid} approved."),
    "rec.rejected": ("记录 {rid} 已驳回。", "Record {rid} rejected."),
    "rec.saved": ("已保存：{fields}", "Saved: {fields}"),
    "rec.nothing_changed": ("没有改动。", "Nothing changed."),
    "rec.refused_fields": (
        "以下更正未保存（原值保留，见红色提示）：{fields}",
        "Not saved (the stored values stay; see the red notes): {fields}",
    ),
    "rec.not_approved": ("未通过，请先处理：{why}", "Not approved; first: {why}"),
    "rec.fix_red": ("红色提示的字段", "the fields in red"),
    "draft.restored": (
        "有未保存的修改：离开本记录前输入的内容已放回（{fields}），尚未保存。请保存、批准，或放弃。",
        "Unsaved changes: what you typed before leaving this record is back ({fields}), not saved yet. Save, approve, or discard.",
    ),
    "draft.masked_item": ("{field}（{masked}）", "{field} ({masked})"),
    "draft.emptied": ("已清空", "emptied"),
    "draft.restored_masked": (
        "其中{fields}已遮盖：显示完整号码后可见、可改。",
        " Of these, {fields} stays masked: shown and editable once you show the full number.",
    ),
    "draft.restored_blind": (
        "有未提交的录入：离开本记录前输入的内容已放回（{fields}），尚未提交。请提交录入，或放弃。",
        "Keying not submitted: what you typed before leaving this record is back ({fields}), not submitted yet. "
        "Submit it, or discard it.",
    ),
    "draft.elsewhere": (
        "有未保存的修改：记录 {rid}（{fields}）。返回该记录保存，或放弃这些修改。",
        "Unsaved changes on record {rid} ({fields}). Go back to save them, or discard them.",
    ),
    "draft.back": ("返回保存", "Go back"),
    "draft.view": ("查看该记录", "View the record"),
    "draft.discard": ("放弃修改", "Discard"),
    "draft.discarded": ("已放弃记录 {rid} 未保存的修改。", "Unsaved changes on record {rid} discarded."),
    "draft.conflict": (
        "您离开后，他人已保存{fields}（现值见上表）。您未保存的修改尚未放回：保留您的修改，还是采用已保存的值？",
        "Since you left, someone else saved {fields} (the value now is in the table above). Your unsaved "
        "changes are not back yet: keep yours, or take the saved value?",
    ),
    "draft.keep_mine": ("保留我的修改", "Keep mine"),
    "draft.take_stored": ("采用已保存的值", "Take the saved value"),
    "draft.conflict_save": (
        "未保存：他人已修改{fields}，请先选择保留您的修改还是采用已保存的值。",
        "Not saved: someone else changed {fields}; first choose whether to keep yours or take the saved value.",
    ),
    "draft.blocked": (
        "您对本记录有未保存的修改（{fields}），但本记录现在不能修改，这些修改无法保存。",
        "You have unsaved changes on this record ({fields}), but it cannot be changed now: they cannot be saved.",
    ),
    "draft.decided": (
        "记录 {rid} 有您未保存的修改（{fields}），但该记录已处理（{status}），这些修改无法保存。",
        "Unsaved changes on record {rid} ({fields}), but the record was decided ({status}): they cannot be saved.",
    ),
    "url.bad_record": (
        "链接中的记录编号无效（应为数字），已打开您的首页。",
        "The record number in the link is not valid (it should be digits); your first page is open.",
    ),
    "url.bad_record_here": (
        "链接中的记录编号无效（应为正整数）：请在下面输入记录编号。",
        "The record number in the link is not valid (it should be a positive whole number): type one below.",
    ),
    "url.no_record": (
        "链接中的记录 {rid} 不存在，已打开您的首页。",
        "Record {rid} in the link does not exist; your first page is open.",
    ),
    "url.record_refused": (
        "您的角色无权查看记录（链接中的记录 {rid}），已打开您的首页。",
        "Your role may not view records (record {rid} in the link); your first page is open.",
    ),
    "url.bad_page": ("链接中的页面不存在，已打开您的首页。", "The page in the link does not exist; your first page is open."),
    "url.page_refused": (
        "您的角色无权打开链接中的页面「{page}」，已打开您的首页。",
        "Your role may not open the page in the link ({page}); your first page is open.",
    ),
    "rec.no_previous": ("本次没有上一条记录。", "No previous record in this session."),
    "rec.queue_empty": (
        "在当前筛选条件下，队列已空：没有待审核的记录。",
        "The queue is empty under these filters: nothing left to review.",
    ),
    "rec.back_to_queue": ("返回审核队列", "Back to the queue"),
    "rec.duplicate": (
        "可能与记录 {other} 是同一人：请在“疑似重复”页面处理。",
        "Possible duplicate of record {other}: decide on the Duplicates page.",
    ),
    "rec.shortcuts": (
        "快捷键：{approve} 通过 · {skip} 跳过 · {prev} 上一条（光标在输入框中时不起作用）",
        "Shortcuts: {approve} approve · {skip} skip · {prev} previous (not while typing in a box)",
    ),
    "column.cell": ("此格无扫描图", "no crop for this cell"),
    "column.no_column": ("本登记簿无此栏", "this register has no such column"),
    # no column found for it on a page whose structure is in doubt (page_structure_doubted: said above the record)
    # engines_disagree with the other reading kept in the field's cell: said, as the value is (masked or not)
    "issue.engines_disagree_other": (
        "两次识别结果不一致：另一次读作“{other}”",
        "two readings disagree: the other read “{other}”",
    ),
    "column.no_column_doubted": (
        "本页未找到此栏（本页结构存疑，见上方说明）：无对应的格，见上方整行扫描",
        "no column found for it (the page's structure is in doubt, see above): no cell of its own, see the row's scan above",
    ),
    # a field without a cell: where its scan is (why it has none is said once, in the reasons: issue.*)
    "column.unknown_column": ("无对应的格：见上方整行扫描", "no cell of its own: see the row's scan above"),
    "column.hidden_column": ("无对应的格：见上方整行扫描", "no cell of its own: see the row's scan above"),
    "column.from_id": ("不是从格中读出：由身份证号推得", "not read from a cell: derived from the ID number"),
    "column.absent": ("管理员已声明本登记簿不记录此项", "declared not recorded by this register"),
    "column.context": ("取自登记簿标题或运行设置", "from the ledger's title or the run's settings"),
    "column.derived": ("由其他字段推得", "derived from another field"),
    # --- the correction form
    "form.pick": ("要核对或更正的字段", "Fields to check or correct"),
    "form.pick_help": (
        "需要处理的字段已预先选好。点“通过”时，表单中未改动的值即表示已核对无误；“保存”只保存改动和标注；"
        "只核对了某一项、暂不通过整条记录时，点该项旁的“核对无误”。",
        "Fields that need a look are picked already. On Approve, a value left unchanged in the form counts as checked; "
        "Save keeps only what you changed or marked; to record one field checked without approving the record, "
        "press “Confirmed” beside it.",
    ),
    "form.pick_placeholder": ("选择字段", "Choose fields"),
    "form.reveal": ("显示完整的{field}（将记入日志）", "Show the full {field} (logged)"),
    "blind.reveal": (
        "显示{field}的扫描图（将记入日志；识别结果仍隐藏）",
        "Show the scan of {field} (logged; the OCR value stays hidden)",
    ),
    "form.reveal_help": (
        "显示完整号码会记录操作人、时间、原因、记录和字段。",
        "Showing a full number records who, when, why, which record and field.",
    ),
    "form.reveal_why": ("显示完整号码的原因（必填，将记入日志）", "Why you need the full number (required, logged)"),
    "form.read_as": ("识别原文：{text}", "read as: {text}"),
    "form.nothing_read": ("此格未识别出文字", "nothing was read in this cell"),
    "form.not_on_scan": ("扫描件上没有", "Not on the scan"),
    "form.not_on_scan_help": (
        "纸质登记簿上确实没有此项时勾选（需在下方写明原因）。",
        "Tick when the paper holds no value for it (say why below).",
    ),
    "form.confirm": ("核对无误", "Confirmed"),
    "form.confirm_help": (
        "此项与扫描件一致：立即记入审核记录（谁、何时），无需通过整条记录。",
        "This value matches the scan: recorded at once in the audit trail (who, when), without approving the record.",
    ),
    "form.confirm_typed": (
        "{field}：框中有未保存的改动。核对的是已保存的值：请先保存或放弃改动。",
        "{field}: its box holds unsaved typing. Confirmed is said of the value stored: save or discard your typing first.",
    ),
    "form.confirmed": ("已记录：{field}核对无误。", "Recorded: {field} confirmed."),
    "form.why": ("原因（标为“扫描件上没有”时必填）", "Why (required for “not on the scan”)"),
    "form.why_help": ("记入审核记录：谁、何时、为什么。", "Kept in the audit trail: who, when, why."),
    "form.save": ("保存", "Save"),
    # --- why a field or a record needs a look
    "issue.low_confidence": ("请对照扫描件核对此项", "check this value against the scan"),
    "issue.low_confidence_unreviewed": (
        "请对照扫描件核对此项：识别把握不足，尚未核对；有误在表单中改正，无误则保持不变",
        "check this value against the scan: read unsure, not checked yet; correct it in the form, or leave it unchanged if right",
    ),
    "issue.check_unreviewed": (
        "请对照扫描件核对此项：尚未核对；有误在表单中改正，无误则保持不变",
        "check this value against the scan: not checked yet; correct it in the form, or leave it unchanged if right",
    ),
    "issue.unknown_column": (
        "本页有栏目的表头未能识别，此项可能就在其中：请按整行扫描填写；扫描件上没有则勾选“扫描件上没有”",
        "a column header of this page was not recognized and this field may be in it: type it from the row scan, or tick “not on the scan”",
    ),
    "issue.unknown_column_mandatory": (
        "必填项为空：本页有栏目的表头未能识别，此项可能就在其中：请按整行扫描填写；扫描件上确实没有的，请勾选“扫描件上没有”并写明原因",
        "mandatory and empty: a column header of this page was not recognized and this field may be in it: type it "
        "from the row scan, or tick “not on the scan” and say why",
    ),
    "issue.no_column_mandatory": (
        "必填项为空：本登记簿没有此栏，无法照扫描件填写。能从档案中其他材料确定的，请填写；不能确定的，请勾选“扫描件上没有”"
        "并写明原因（如“登记簿无此栏”），记录可以通过，但此项仍为空时平台不接收此行，入库时会列为未入库，待补录",
        "mandatory and empty: this register has no column for it, so it cannot be typed from the scan. If other records "
        "of the archive tell it, type it; if not, tick “not on the scan” and say why (e.g. “the register has no such "
        "column”): the record can be approved, but while this field is empty the platform refuses the row (listed as "
        "not loaded, to be completed)",
    ),
    "issue.hidden_column_mandatory": (
        "必填项为空：本页可能有两栏被读成了一栏（可能缺了一条竖线），此项可能混在相邻一栏的文字里：请看整行扫描，按扫描件填写；"
        "扫描件上确实没有的，请勾选“扫描件上没有”并写明原因",
        "mandatory and empty: two printed columns of this page may have been read as one (a ruling line may be missing), "
        "so this field may be inside the neighbouring column's text: type it from the row's scan, or tick “not on the scan” and say why",
    ),
    "issue.hidden_column": (
        "本页可能有两栏被读成了一栏（可能缺了一条竖线），此项可能混在相邻一栏的文字里：请看整行扫描，按扫描件填写；扫描件上没有则勾选“扫描件上没有”",
        "two printed columns of this page may have been read as one (a ruling line may be missing), so this field may be "
        "inside the neighbouring column's text: look at the row's scan and type it from there, or tick “not on the scan”",
    ),
    # one message per field for the ID number, the sex and the birth date (pipeline.review.queue._id_reason):
    # what GB 11643 says (digits 7-14 the birth date, digit 17 odd for a man, 18 the check digit), what to check
    "issue.id_invalid_length": (
        "身份证号位数不对（应为 18 位，旧号 15 位）：请对照扫描件逐位核对，漏读或多读的按扫描件改正；扫描件上的号码本身就不合格的，请勾选“扫描件上没有”并写明原因",
        "the ID number has a wrong length (18 digits, 15 for an old one): check it digit by digit against the scan and "
        "fix a digit read too many or too few; if the number on the scan itself is not valid, tick “not on the scan” and say why",
    ),
    "issue.id_invalid_characters": (
        "身份证号含不允许的字符（只能是数字，第 18 位可为 X）：请对照扫描件逐位核对，按扫描件改正；扫描件上的号码本身就不合格的，请勾选“扫描件上没有”并写明原因",
        "the ID number holds characters it cannot (digits only, X allowed as digit 18): check it digit by digit "
        "against the scan and fix it; if the number on the scan itself is not valid, tick “not on the scan” and say why",
    ),
    "issue.id_invalid_birth": (
        "身份证号的出生日期位（18 位号码第 7–14 位，15 位号码第 7–12 位）不是有效的出生日期：请对照扫描件逐位核对这几位，按扫描件改正；扫描件上的号码本身就不合格的，请勾选“扫描件上没有”并写明原因",
        "the ID number's birth-date digits (7-14 of 18, 7-12 of 15) are not a real birth date: check them against the scan and fix them; if the number on the scan itself is not valid, tick “not on the scan” and say why",
    ),
    "issue.id_invalid_region": (
        "身份证号前 6 位（地址码）不是任何行政区划的代码（GB/T 2260）：多半有一位读错，请对照扫描件逐位核对，按扫描件改正；扫描件上的号码本身就不合格的，请勾选“扫描件上没有”并写明原因",
        "the ID number's first 6 digits (its address code) are no division's code (GB/T 2260): a digit was probably "
        "misread; check it digit by digit against the scan and fix it; if the number on the scan itself is not valid, "
        "tick “not on the scan” and say why",
    ),
    "issue.id_invalid_check": (
        "身份证号校验位（第 18 位）不符：多半有一位读错，请对照扫描件逐位核对，按扫描件改正；扫描件上的号码本身就不合格的，请勾选“扫描件上没有”并写明原因",
        "the ID number's check digit (digit 18) does not fit: a digit was probably misread; check it digit by digit "
        "against the scan and fix it; if the number on the scan itself is not valid, tick “not on the scan” and say why",
    ),
    "issue.id_invalid_ambiguous": (
        "身份证号校验位（第 18 位）不符，有几种可能的改法，未自动更正：请对照扫描件逐位核对，按扫描件改正；扫描件上的号码本身就不合格的，请勾选“扫描件上没有”并写明原因",
        "the ID number's check digit (digit 18) does not fit and several corrections are possible, so none was made: "
        "check it digit by digit against the scan and fix it; if the number on the scan itself is not valid, tick “not on the scan” and say why",
    ),
    "issue.id_disagrees_sex": (
        "身份证号的性别位（18 位号码第 17 位，15 位号码第 15 位；单数为男，双数为女）与性别不符：请对照扫描件核对身份证号和性别，改正读错的一项；扫描件上本来就是这样的，保持不变即可",
        "the ID number's sex digit (digit 17 of 18, 15 of 15; odd for a man, even for a woman) does not match the sex: check both against the "
        "scan and fix the one misread; if the scan itself says so, leave it unchanged",
    ),
    "issue.id_disagrees_birth": (
        "身份证号的出生日期位（18 位号码第 7–14 位，15 位号码第 7–12 位）与出生日期不符：请对照扫描件核对身份证号和出生日期，改正读错的一项；扫描件上本来就是这样的，保持不变即可",
        "the ID number's birth-date digits (7-14 of 18, 7-12 of 15) do not match the birth date: check both against the scan and fix the one "
        "misread; if the scan itself says so, leave it unchanged",
    ),
    "issue.id_disagrees_sex_birth": (
        "身份证号与性别（性别位）、出生日期（出生日期位）都不符：请先对照扫描件逐位核对身份证号，再核对性别和出生日期，"
        "改正读错的一项；扫描件上本来就是这样的，保持不变即可",
        "the ID number matches neither the sex (its sex digit) nor the birth date (its birth-date digits): check the ID number digit "
        "by digit against the scan first, then the sex and the birth date, and fix what was misread; if the scan itself says so, leave it unchanged",
    ),
    "issue.sex_disagrees_id": (
        "性别与身份证号的性别位（18 位号码第 17 位，15 位号码第 15 位；单数为男，双数为女）不符：请对照扫描件核对性别和身份证号，改正读错的一项；扫描件上本来就是这样的，保持不变即可",
        "the sex does not match the ID number's sex digit (digit 17 of 18, 15 of 15; odd for a man, even for a woman): check both against the "
        "scan and fix the one misread; if the scan itself says so, leave it unchanged",
    ),
    "issue.birth_disagrees_id": (
        "出生日期与身份证号的出生日期位（18 位号码第 7–14 位，15 位号码第 7–12 位）不符：请对照扫描件核对出生日期和身份证号，改正读错的一项；扫描件上本来就是这样的，保持不变即可",
        "the birth date does not match the ID number's birth-date digits (7-14 of 18, 7-12 of 15): check both against the scan and fix the one "
        "misread; if the scan itself says so, leave it unchanged",
    ),
    "issue.from_invalid_id": (
        "此项由身份证号推得，但身份证号无效，推不出：请先按扫描件改正身份证号（此项随之推得）；身份证号无法改正的，"
        "请按扫描件填写此项，或勾选“扫描件上没有”并写明原因",
        "this field is derived from the ID number, which is not valid: fix the ID number from the scan first (this "
        "field follows); if it cannot be fixed, type this field from the scan, or tick “not on the scan” and say why",
    ),
    "gap.mandatory_empty": (
        "必填项为空：请按扫描件填写；扫描件上确实没有的，请勾选“扫描件上没有”并写明原因",
        "mandatory and empty: type it from the scan, or tick “not on the scan” and say why",
    ),
    "gap.mandatory_no_column": (
        "必填项为空，本登记簿没有此栏：能从档案中其他材料确定的请填写，否则勾选“扫描件上没有”并写明原因",
        "mandatory and empty, and this register has no column for it: type it if other records tell it, else tick "
        "“not on the scan” and say why",
    ),
    "gap.empty_flagged": (
        "为空且需要核对：请按扫描件填写，或勾选“扫描件上没有”",
        "empty and flagged: type it from the scan, or tick “not on the scan”",
    ),
    "gap.unreviewed": (
        "尚未核对：请在表单中核对（值无误则点该项旁的“核对无误”，或保持不变后通过）",
        "not checked yet: check it in the form (if right, press “Confirmed” beside it, or leave it unchanged and approve)",
    ),
    "refuse.invalid": (
        "“{field}”不是有效值：{why}。原值保留，请改正后再保存。",
        "not a valid value for {field}: {why}. The stored value stays; fix it and save again.",
    ),
    "refuse.invalid_plain": (
        "输入的内容不是有效值，原值保留，请改正后再保存。",
        "what was typed is not a valid value; the stored value stays; fix it and save again.",
    ),
    "refuse.mandatory_cleared": (
        "必填项不能清空：扫描件上确实没有时请勾选“扫描件上没有”。",
        "a mandatory field cannot be emptied: tick “not on the scan” if the paper holds none.",
    ),
    "refuse.needs_reason": ("标为“扫描件上没有”需要在“原因”中说明。", "“not on the scan” needs a reason in the Why box."),
    "refuse.changed_since_shown": (
        "您核对时此项已被他人保存为另一个值：请对照扫描件核对现在的值。",
        "someone else saved another value while you checked it: check the value now shown against the scan.",
    ),
    "refuse.confirm_empty": (
        "空白项不能“核对无误”：纸上确实没有时请勾选“扫描件上没有”并写明原因。",
        "an empty field cannot be confirmed: if the paper holds nothing, tick “not on the scan” and say why.",
    ),
    "refuse.text_and_not_on_scan": (
        "已输入值又勾选了“扫描件上没有”：二者只能选一。",
        "a value was typed and “not on the scan” ticked: choose one.",
    ),
    "record.sparse_row": (
        "此行只有 {written} 格有字（共 {total} 格）：可能是空行上的印章或污点，或未填完的记录。扫描件上没有此人时请驳回。",
        "Only {written} of {total} cells of this row are written: a stamp or speck on an empty row, or an unfinished entry? Reject it if the scan shows no person.",
    ),
    "record.sparse_row.short": ("几乎是空行", "almost empty row"),
    "record.page_unsure": (
        "本页 {share}% 的文字识别把握不足（限度 {limit}%）：字迹难认，请逐项对照扫描件核对。",
        "{share}% of this page's text was read unsure (limit {limit}%): a hard hand; check every field against the scan.",
    ),
    "record.page_unsure.short": ("整页字迹难认", "hard-to-read page"),
    "record.unknown_columns": (
        "本页有栏目表头未能识别：{fields} 可能在其中。",
        "A column header of this page was not recognized: {fields} may be in it.",
    ),
    "record.unknown_columns.short": ("栏目未识别", "column not recognized"),
    "record.column_unsure": (
        "本页无法确定哪一栏是{field}（{why}）：本页各栏与字段的对应因此存疑，每个值都请对照扫描件核对。",
        "Which column of this page holds {field} is not certain ({why}): which field each column holds is in doubt; "
        "check every value against the scan.",
    ),
    "record.column_unsure.short": ("栏目归属存疑", "column in doubt"),
    "record.grid_text": (
        "本页没有找到表格线：行与列是按文字的对齐推断的，请逐项对照扫描件核对。",
        "No ruling lines were found on this page: its rows and columns were read from the alignment of its text; check every value against the scan.",
    ),
    "record.grid_text.short": ("无表格线", "no ruling lines"),
    "record.grid_partial": (
        "本页部分表格线缺失：缺的线按文字的对齐补出，请逐项对照扫描件核对。",
        "Some ruling lines of this page are missing: they were placed by the alignment of its text; check every value against the scan.",
    ),
    "record.grid_partial.short": ("表格线不全", "ruling lines missing"),
    "record.grid_by_column": (
        "本页的行线没有横贯整张表格（手工画线或拍摄后仍倾斜）：各栏的行是逐栏跟踪出来的，请逐项对照扫描件核对。",
        "The row lines of this page do not run level across the table (ruled by hand, or still slanted after the photograph was straightened): "
        "each column's rows were followed on their own; check every value against the scan.",
    ),
    "record.grid_by_column.short": ("行线逐栏跟踪", "rows followed by column"),
    "record.grid_faint": (
        "本页的表格线很淡（浅色印刷或褪色）：是降低对比度后才找到的，可能把阴影或折痕当成了线，请逐项对照扫描件核对。",
        "The ruling lines of this page are very faint (printed pale or faded): they were found only at a lower contrast and a shadow "
        "or a fold may have been taken for a line; check every value against the scan.",
    ),
    "record.grid_faint.short": ("表格线很淡", "faint ruling"),
    "record.grid_beyond_box": (
        "本页有几栏在自动找到的表格外框之外（照片上那里的行线断开）：这几栏是沿行线延伸找出的，请逐项对照扫描件核对。",
        "Some columns of this page lie beyond the table's outline that was found (its row lines broken there in the photograph): "
        "they were found where the row lines run on; check every value against the scan.",
    ),
    "record.grid_beyond_box.short": ("表格外框外的栏", "columns beyond the outline"),
    "record.kind_from_volume": (
        "本页表头没有认出（照片模糊或阴影？），按同册其他页定为同一种登记簿：各栏的值请逐项对照扫描件核对；若本页其实是另一种登记簿，请驳回。",
        "This page's header was misread as no register's (a blurred or shaded photograph?): it was read as the register "
        "kind of its volume's other pages; check every value against the scan, and reject the records if the page is another register.",
    ),
    "record.kind_from_volume.short": ("登记簿种类按同册判定", "register kind from its volume"),
    "record.struck": (
        "此行文字上有一道横线：是否为划掉的记录？若是划掉作废的，请驳回（正确的记录在后面）。",
        "A line is drawn across this row's text: an entry struck through? If it was crossed out, reject it (the right entry follows).",
    ),
    "record.struck.short": ("疑似划掉的行", "struck-through row?"),
    "record.bowed_line": (
        "此行旁边的行线在表格上是弯的（拍照时纸页没有放平）：行线是沿弯曲找出的，此行的格子可能混入相邻行的字或缺了本行的一部分，请对照扫描件核对。",
        "A row line beside this row bows across the table (a photographed page not lying flat): the line was followed over its bow, "
        "and its cells may hold a slice of the next row's writing or miss a slice of their own; check them against the scan.",
    ),
    "record.bowed_line.short": ("行线弯曲", "bowed row line"),
    "record.seal_only": (
        "此行只有印章盖住的格子里有字：可能是印章上的字（单位名称、专用章），不是一条记录；若扫描件上印章下没有记录，请驳回。",
        "This row's only writing lies under a seal: it may be the seal's text (its name, 专用章), no entry; reject it if the scan shows no entry under the seal.",
    ),
    "record.seal_only.short": ("疑似印章文字", "seal's text?"),
    "record.serial_misread": (
        "此行序号读作 {serial}，而上下两行（{before}、{after}）彼此连续：可能是此行的序号读错了，请对照扫描件核对此行。",
        "This row's serial reads {serial} between {before} and {after}, which follow one another over it: its number misread? "
        "Check this row against the scan.",
    ),
    "record.serial_misread.short": ("序号可能读错", "serial misread?"),
    "record.serial_gap": (
        "序号 {serial} 紧接在 {before} 之后：可能漏了一行，或两条记录被读成了一行（缺一条行线），请对照扫描件核对此行。",
        "Serial {serial} follows {before}: a row may be lost, or two entries read as one (a ruling line missing); "
        "check this row against the scan.",
    ),
    "record.serial_gap.short": ("序号不连续（可能漏行）", "serial gap (row lost?)"),
    "record.serial_repeat": (
        "序号 {serial} 紧接在 {before} 之后：可能一行被拆成两行或读了两次，请对照扫描件核对此行。",
        "Serial {serial} follows {before}: a row may be split or read twice; check this row against the scan.",
    ),
    "record.serial_repeat.short": ("序号不连续（可能重行）", "serial repeated (row split?)"),
    "record.columns_unread": (
        "本页表头和各栏都未认出（模糊、褪色、颗粒重或光线太暗？）：各栏是由同册其他页判定的，每个值都请对照扫描件核对。",
        "No column was identified on the page itself (header and cells blurred, faded, grainy or dim?): its columns are "
        "those its volume's other pages show; check every value against the scan.",
    ),
    "record.columns_unread.short": ("本页栏目未认出", "columns not identified"),
    "record.unidentified_row": (
        "此行的字都在未能识别的栏目里：是一条记录，但其值未能对应到字段；请对照扫描件逐项录入。",
        "This row's writing lies only in columns whose field was not identified: an entry whose values could not be mapped; key it from the scan.",
    ),
    "record.unidentified_row.short": ("栏目未识别的记录", "entry in unidentified columns"),
    "record.unfitted_capture": (
        "{capture}：当前的自动通过阈值未在这类页面上拟合，本条记录不能自动通过，请逐项对照扫描件核对。",
        "{capture}: the auto-accept thresholds in use were not fitted on such pages, so this record is not auto-accepted; check every value against the scan.",
    ),
    "record.unfitted_capture.short": ("{capture}（阈值未拟合）", "{capture} (thresholds not fitted)"),
    "record.text": ("{text}", "{text}"),
    # --- errors from the pipeline, for reviewers
    "err.claimed_by": ("该记录正由 {who} 审核。", "This record is being reviewed by {who}."),
    "err.claim_lost": ("您对该记录的领取已过期，请重新打开。", "Your claim on this record expired; open it again."),
    "err.needs_reason": ("此操作需要填写原因。", "This needs a reason."),
    "err.reject_needs_reason": (
        "驳回需要原因：请在“驳回原因”中写明为何驳回。",
        "Rejecting needs a reason: say why in “Reason for rejecting”.",
    ),
    "err.reopen_needs_reason": (
        "重新打开需要原因：请在“重新打开的原因”中写明为何重新打开。",
        "Reopening needs a reason: say why in “Reason for reopening”.",
    ),
    "err.reveal_needs_reason": (
        "请先在“显示完整号码的原因”中写明为何需要查看，再显示完整号码。",
        "Say in “Why you need the full number” why you need it; then show it.",
    ),
    "err.read_only": (
        "该记录只读：请管理员说明原因后重新打开。",
        "This record is read only; an administrator reopens it with a reason.",
    ),
    "err.admin_only": ("只有管理员可以执行此操作。", "Only an administrator can do this."),
    # --- two-keyer mode and arbitration
    "blind.hidden": ("（已隐藏：请在下方盲录）", "(hidden: key it blind below)"),
    "blind.explain": (
        "双人录入登记簿：请按扫描件录入高亮字段；与识别结果不一致时由仲裁员裁定。",
        "Two-keyer ledger: type the highlighted fields from the scan. Where you and OCR disagree, an arbitrator decides.",
    ),
    "blind.submit": ("提交录入", "Submit keying"),
    "blind.disputed": (
        "记录 {rid}：{fields} 与识别结果不一致，已交仲裁。",
        "Record {rid}: {fields} differ from OCR; sent to an arbitrator.",
    ),
    "blind.agreed": ("记录 {rid}：录入与识别一致，已通过。", "Record {rid}: your keying agrees with OCR; approved."),
    "blind.agreed_more": (
        "记录 {rid}：录入与识别一致，但 {fields} 仍需处理，记录留在队列中。",
        "Record {rid}: your keying agrees with OCR, but {fields} still need a look; it stays in the queue.",
    ),
    "arb.title": ("仲裁（双人录入不一致）", "Arbitration (two-keyer disagreements)"),
    "arb.none": (
        "没有等待仲裁的记录（您自己录入的记录由他人仲裁）。",
        "Nothing waits for an arbitrator (records you keyed yourself go to someone else).",
    ),
    "arb.where": (
        "等待仲裁 {n} 条 · 记录 {rid} · {ledger}，第 {page} 页第 {row} 行",
        "{n} record(s) waiting · record {rid} · {ledger}, page {page}, row {row}",
    ),
    "arb.keep": ("采用", "Keep"),
    "arb.ocr": ("识别结果", "OCR"),
    "arb.keyed": ("录入值", "keyed"),
    "arb.other": ("其他", "other"),
    "arb.by": ("{text}（{user} 录入）", "{text} (by {user})"),
    "arb.type_below": ("在下方输入", "type below"),
    "arb.value": ("值", "value"),
    "arb.approve": ("裁定并通过", "Decide and approve"),
    "arb.reject": ("驳回该记录（在上方写明原因）", "Reject the record (give the reason above)"),
    "arb.done": ("记录 {rid} 已仲裁。", "Record {rid} arbitrated."),
    "arb.back_to_queue": (
        "记录 {rid} 已仲裁，但 {fields} 仍需处理：记录已回到审核队列。",
        "Record {rid} arbitrated, but {fields} still need a look: it is back in the review queue.",
    ),
    # --- duplicates
    "dup.title": ("疑似重复", "Possible duplicates"),
    "dup.none": ("没有等待决定的疑似重复。", "No uncertain pair waits for a decision."),
    "dup.pair": ("{a} ↔ {b}（相似度 {score}）", "{a} ↔ {b} (score {score})"),
    "dup.pick": ("记录对", "Pair"),
    "dup.col.field": ("字段", "field"),
    "dup.col.value": ("值", "value"),
    "dup.col.match": ("匹配程度", "match"),
    "dup.merge": ("合并：同一人", "Merge: the same person"),
    "dup.keep_apart": ("分开：不是同一人", "Keep apart: different people"),
    "dup.merged": ("记录 {a} / {b}：已合并。", "Pair {a} / {b}: merged."),
    "dup.kept_apart": ("记录 {a} / {b}：已确认不是同一人。", "Pair {a} / {b}: kept apart."),
    # --- intake
    "intake.title": ("收件", "Intake"),
    "intake.quarantine": ("隔离的文件（{n}）", "Quarantine ({n})"),
    "intake.none_rejected": ("没有被拒收的文件。", "No file was rejected."),
    "intake.received": ("已收到的登记簿（{n}）", "Ledgers received ({n})"),
    "intake.col.file": ("文件", "file"),
    "intake.col.type": ("类型", "type"),
    "intake.col.pages": ("页数", "pages"),
    "intake.col.status": ("状态", "status"),
    "intake.col.added": ("收到时间", "added"),
    "intake.col.reason": ("原因", "reason"),
    "intake.col.message": ("说明", "message"),
    "intake.col.when": ("时间", "when"),
    "file_status.registered": ("已登记，待读取", "registered, not read yet"),
    "file_status.processed": ("已读取", "read"),
    "quarantine.empty_file": ("空文件", "empty file"),
    "quarantine.corrupt": ("文件损坏", "corrupt"),
    "quarantine.encrypted": ("有密码保护", "encrypted"),
    "quarantine.unsupported": ("不支持的格式", "unsupported format"),
    "quarantine.too_large": ("图像过大", "too large"),
    "quarantine.too_small": ("图像过小", "too small"),
    "quarantine.no_images": ("没有扫描图像", "no scanned image"),
    "quarantine.outside_folder": ("在扫描文件夹之外", "outside the scans folder"),
    "quarantine.partly_recovered": ("部分恢复", "partly recovered"),
    "run.running": ("运行中", "running"),
    "run.completed": ("已完成", "completed"),
    "run.failed": ("失败", "failed"),
    "run.interrupted": ("已中断", "interrupted"),
    # --- users and runs
    "users.title": ("用户与运行", "Users and runs"),
    "users.col.user": ("用户", "user"),
    "users.col.role": ("角色", "role"),
    "users.col.active": ("启用", "active"),
    "users.user": ("用户", "User"),
    "users.role": ("角色", "Role"),
    "users.password": ("密码（至少 8 个字符）", "Password (8 characters or more)"),
    "users.add": ("添加用户", "Add user"),
    "users.added": ("已添加用户 {name}。", "User {name} added."),
    "users.disable": ("停用", "Disable"),
    "users.enable": ("启用", "Enable"),
    "users.unlock": ("解除登录锁定", "Unlock login"),
    "users.unlock_help": ("忘记该用户名最近的登录失败记录。", "Forget the failed logins of this user name."),
    "users.unlocked": ("已解除 {name} 的登录锁定。", "Login lock of {name} lifted."),
    "users.runs": ("运行记录", "Runs"),
    "runs.col.run": ("运行", "run"),
    "runs.col.folder": ("扫描文件夹", "folder"),
    "runs.col.started": ("开始", "started"),
    "runs.col.finished": ("结束", "finished"),
    "runs.col.status": ("状态", "status"),
    "runs.col.auto_share": ("自动通过占比（目标 ≥ {target:.0%}）", "auto-accepted (target ≥ {target:.0%})"),
    "runs.col.selection": ("范围", "selection"),
    # --- ledger settings
    "ledgers.title": ("登记簿设置", "Ledger settings"),
    "ledgers.none": ("还没有登记簿。", "No ledger yet."),
    "ledgers.col.ledger": ("登记簿", "ledger"),
    "ledgers.col.waiting": ("待审核", "waiting"),
    "ledgers.col.two_keyer": ("双人录入", "two-keyer"),
    "ledgers.col.priority": ("优先级", "priority"),
    "ledgers.col.absent": ("本簿不记录的字段", "fields it never records"),
    "ledgers.two_keyer": (
        "双人录入模式（高亮字段盲录，不一致时交仲裁）",
        "Two-keyer mode (flagged fields keyed blind; disagreements go to an arbitrator)",
    ),
    "ledgers.priority": ("队列优先级（越大越先）", "Queue priority (higher first)"),
    "ledgers.save": ("保存", "Save"),
    "ledgers.absent_title": ("本登记簿不记录的字段", "Fields this ledger never records"),
    "ledgers.absent_help": (
        "登记簿根本没有某一栏（如没有“民族”“死亡原因”栏）时，在此声明一次：审核员不会再逐条被要求填写。必填项（火化证明编号除外）声明后仍不能入库。",
        "When the register has no such column at all (no ethnicity or cause-of-death column), declare it once here: reviewers are no longer asked for it record by record. A mandatory field (but the certificate number) declared so still keeps its records from loading.",
    ),
    "ledgers.absent_why": ("原因（必填）", "Why (required)"),
    "ledgers.absent_pick": ("不记录的字段", "Fields never recorded"),
    "ledgers.absent_save": ("保存声明", "Save the declaration"),
    "ledgers.absent_saved": ("已保存；{n} 条记录已按新声明重新映射。", "Saved; {n} record(s) mapped again."),
    # --- a record's history
    "hist.title": ("记录历史", "A record's history"),
    "hist.record": ("记录编号", "Record #"),
    "hist.none": ("此记录没有改动记录。", "No change recorded for this record."),
    "hist.reveals": ("完整号码显示记录", "Full numbers shown"),
    "hist.no_reveals": ("没有人显示过此记录的完整号码。", "Nobody has shown this record's full numbers."),
    "hist.col.when": ("时间", "when"),
    "hist.col.who": ("操作人", "who"),
    "hist.col.action": ("操作", "action"),
    "hist.col.field": ("字段", "field"),
    "hist.col.old": ("原值", "old"),
    "hist.col.new": ("新值", "new"),
    "hist.col.why": ("原因", "why"),
    # --- completion (administrators): review_app.admin
    "done.title": ("完成情况", "Completion"),
    "done.level": ("表格按", "Table by"),
    "done.level.year": ("殡仪馆 · 登记簿 · 年份", "funeral home · ledger · year"),
    "done.level.volume": ("册", "volume"),
    "done.level.ledger": ("殡仪馆 · 登记簿", "funeral home · ledger"),
    "done.level.home": ("殡仪馆", "funeral home"),
    "done.m.expected": ("应有页数", "Expected pages"),
    "done.m.scanned": ("已扫描页数", "Scanned pages"),
    "done.m.processed": ("已识别页数", "Processed pages"),
    "done.m.records": ("记录数", "Records"),
    "done.m.in_review": ("待审核", "In review"),
    "done.m.loaded": ("已入库", "Loaded"),
    "done.no_inventory": (
        "尚未导入清单：“完成率”“未扫描”需要清单（见下方“登记簿清单”）。",
        "No inventory loaded yet: “% done” and “not scanned” need one (see Ledger inventory below).",
    ),
    "done.csv": ("下载此表（CSV）", "Download the table (CSV)"),
    "done.progress": ("进度", "Progress"),
    "done.over_time": ("逐日累计：已识别页数、已入库记录数", "By day, cumulative: pages read, records loaded"),
    "done.by_year": (
        "按年份（2010–2017）与登记簿种类：应有页数、已识别页数",
        "By year (2010–2017) and register kind: expected and read pages",
    ),
    "done.by_year_read": (
        "按年份（2010–2017）与登记簿种类：已识别页数",
        "By year (2010–2017) and register kind: pages read",
    ),
    "done.backlog_time": ("逐日待审核记录数", "Records waiting for review, by day"),
    "done.backlog_now": ("当前待审核：按殡仪馆、登记簿与年份", "Waiting for review now, by funeral home, register and year"),
    "done.by_year_none": (
        "{kind}：未导入清单，也还没有识别出有年份的页，无从按年份统计。",
        "{kind}: no inventory declared and no page with a year read yet: nothing to show by year.",
    ),
    "done.by_year_no_inventory": (
        "{kind}：未导入清单，不知道各年应有多少页；下图只列出已识别页数。",
        "{kind}: no inventory declared, so the expected pages of each year are unknown; only pages read are shown.",
    ),
    "done.nothing_read": ("还没有识别任何页。", "Nothing read yet."),
    "done.nothing_waits": ("没有待审核的记录。", "Nothing waits for review."),
    "done.more_waiting": ("另有 {n} 项未列出（待审核较少）。", "{n} more not shown (fewer waiting)."),
    "done.series.pages": ("已识别页数", "pages read"),
    "done.series.loaded": ("已入库记录", "records loaded"),
    "done.series.expected": ("应有页数", "expected pages"),
    "done.series.waiting": ("待审核", "waiting"),
    "done.axis.day": ("日期", "day"),
    "done.axis.count": ("数量", "count"),
    "done.axis.year": ("年份", "year"),
    "done.axis.kind": ("登记簿", "register"),
    "done.axis.what": ("项目", "what"),
    "done.unmatched": ("未对应到清单中的册", "not matched to an inventory volume"),
    "done.unidentified": ("未识别", "unidentified"),
    "inv.title": ("登记簿清单", "Ledger inventory"),
    "inv.summary": (
        "清单共 {n} 册，应有 {pages} 页。CSV 列：funeral_home, ledger_kind, year, volume, expected_pages, path_pattern（可选）, notes（可选）。",
        "{n} volume(s), {pages} pages expected. CSV columns: funeral_home, ledger_kind, year, volume, expected_pages, path_pattern (optional), notes (optional).",
    ),
    "inv.upload": ("导入清单 CSV", "Import an inventory CSV"),
    "inv.import": ("导入", "Import"),
    "inv.done": (
        "{name}：新增 {added}，更新 {updated}，未变 {unchanged}。",
        "{name}: {added} added, {updated} updated, {unchanged} unchanged.",
    ),
    "launch.title": ("启动运行", "Launch a run"),
    "launch.folder": ("扫描文件夹（运行流水线的机器上的路径）", "Scans folder (on the machine that runs the pipeline)"),
    "launch.homes": ("殡仪馆（不选：全部）", "Funeral homes (none: all)"),
    "launch.years": ("年份（如 2013 或 2010-2012；空：全部）", "Years (e.g. 2013 or 2010-2012; empty: all)"),
    "launch.volumes": ("册（标签，逗号分隔；空：全部）", "Volumes (labels, comma-separated; empty: all)"),
    "launch.batch": ("每个任务的页数", "Pages per task"),
    "launch.load": ("结束时将已通过和自动通过的记录入库", "Load approved and auto-accepted records at the end"),
    "launch.start": ("开始运行", "Start the run"),
    "launch.submitted": (
        "流程运行 {run} 已提交到 Prefect 部署 {deployment}。",
        "Flow run {run} submitted to the Prefect deployment {deployment}.",
    ),
    "launch.started": ("运行已启动（进程 {pid}），输出写入 {log}。", "Run started (process {pid}); its output goes to {log}."),
    # --- trust measured on the real archive (administrators): review_app.trust; page titles are nav.quality etc.
    "quality.intro": (
        "系统按卷册从自动通过的记录中随机抽取一部分（默认每卷 2 %，至少 20 条），像其他记录一样送审；"
        "审核员无从分辨。下列错误率只来自这些抽检记录的审核结果。",
        "In each volume the system draws some auto-accepted records at random (2 % by default, at least 20) and sends "
        "them to review like any other; reviewers cannot tell them apart. The error rates below come from the reviews "
        "of these audit records only.",
    ),
    "quality.settings": (
        "抽检比例 {share:.1%}，每卷至少 {minimum} 条，随机种子 {seed}；"
        "目标：自动通过记录的字段错误率不超过 {target:.2%}（95 % 区间上限，{method}）",
        "Audit share {share:.1%}, at least {minimum} per volume, random seed {seed}; target: at most {target:.2%} of "
        "the fields of auto-accepted records wrong (upper end of the 95 % interval, {method})",
    ),
    "quality.m.auto": ("自动通过记录", "Auto-accepted records"),
    "quality.m.drawn": ("抽检记录", "Audit records"),
    "quality.m.reviewed": ("已审核", "Reviewed"),
    "quality.m.effort": ("抽检工作量", "Audit effort"),
    "quality.m.rate": ("总体错误率", "Overall error rate"),
    "quality.effort_help": ("抽检记录占自动通过记录的比例", "Audit records as a share of the auto-accepted records"),
    "quality.plot_caption": (
        "各卷自动通过记录的字段错误率及其 95 % 区间；红线为目标",
        "Share of wrong fields among each volume's auto-accepted records, with its 95 % interval; the red line is the target",
    ),
    "quality.plot_y": ("字段错误率 (%)", "wrong fields (%)"),
    "quality.target": ("目标", "target"),
    "quality.no_evidence": (
        "尚无审核完成的抽检记录：审核员审完抽检记录后，这里显示各卷的错误率。",
        "No audit record reviewed yet: once reviewers have reviewed them, each volume's error rate shows here.",
    ),
    "quality.total.no_auto": (
        "实测错误率：尚无自动通过的记录，没有可抽检的记录（每条记录都经人工审核）。",
        "Measured error: no record was auto-accepted yet, so none is audited (every record goes through review).",
    ),
    "quality.total.none": (
        "实测错误率：尚未测得——从 {auto} 条自动通过记录中抽出的 {drawn} 条抽检记录尚无一条审核完毕；审核员审完抽检记录后即可测得。",
        "Measured error: none yet: none of the {drawn} audit records drawn from {auto} auto-accepted records has been "
        "reviewed; it is measured once reviewers have reviewed them.",
    ),
    "quality.total.met": (
        "实测错误率：自动通过记录的字段错误率 {rate}（95 % 区间 {low} 至 {high}，{units} 条已审抽检记录），目标不超过 {target}：达到目标。",
        "Measured error: {rate} of the fields of auto-accepted records wrong (95 % interval {low} to {high}, {units} audit "
        "records reviewed), target at most {target}: target met.",
    ),
    "quality.total.over": (
        "实测错误率：自动通过记录的字段错误率 {rate}（95 % 区间 {low} 至 {high}，{units} 条已审抽检记录），目标不超过 {target}："
        "超出目标，见“抽检质量”页中超出目标的卷册。",
        "Measured error: {rate} of the fields of auto-accepted records wrong (95 % interval {low} to {high}, {units} audit "
        "records reviewed), target at most {target}: over the target; see the volumes over it on the Audit quality page.",
    ),
    "quality.total.over_here": (
        "实测错误率：自动通过记录的字段错误率 {rate}（95 % 区间 {low} 至 {high}，{units} 条已审抽检记录），目标不超过 {target}："
        "超出目标，见下方“未达标的卷册”。",
        "Measured error: {rate} of the fields of auto-accepted records wrong (95 % interval {low} to {high}, {units} audit "
        "records reviewed), target at most {target}: over the target; see “Volumes that missed the target” below.",
    ),
    "quality.total.undecided": (
        "实测错误率：自动通过记录的字段错误率 {rate}（95 % 区间 {low} 至 {high}，{units} 条已审抽检记录），目标不超过 {target}："
        "尚不能判定，需审核更多抽检记录。",
        "Measured error: {rate} of the fields of auto-accepted records wrong (95 % interval {low} to {high}, {units} audit "
        "records reviewed), target at most {target}: not decided yet; more audit records to review.",
    ),
    "quality.volumes": ("各卷", "Per volume"),
    "quality.failed": ("未达标的卷册", "Volumes that missed the target"),
    "quality.col.volume": ("卷册", "volume"),
    "quality.col.state": ("状态", "state"),
    "quality.col.auto": ("自动通过", "auto-accepted"),
    "quality.col.auto_share": ("自动通过占比（目标 ≥ {target:.0%}）", "share auto-accepted (target ≥ {target:.0%})"),
    "quality.col.bound": ("退回依据下限", "lower bound acted on"),
    "quality.m.auto_share": ("自动通过占比", "Auto-accepted share"),
    "quality.share_met": ("{share}（达标）", "{share} (met)"),
    "quality.share_short": ("{share}（未达 {target:.0%}）", "{share} (under {target:.0%})"),
    "quality.auto_share_unmeasured": (
        "自动通过：{records} 条记录中 {auto} 条（{share:.1%}，目标 ≥ {target:.0%}）；抽检尚未测得其中的字段错误率",
        "Auto-accepted: {auto} of {records} records ({share:.1%}, target ≥ {target:.0%}); the audit has not measured "
        "their wrong fields yet",
    ),
    "quality.auto_share_help": (
        "{records} 条记录中自动通过 {auto} 条；目标 ≥ {target:.0%}",
        "{auto} of {records} records auto-accepted; target ≥ {target:.0%}",
    ),
    "quality.auto_share_line": (
        "自动通过：{records} 条记录中 {auto} 条（{share:.1%}，目标 ≥ {target:.0%}）；其中抽检 {n} 条测得字段错误率 {rate}",
        "Auto-accepted: {auto} of {records} records ({share:.1%}, target ≥ {target:.0%}); the {n} audited of them "
        "measured {rate} wrong fields",
    ),
    "quality.col.drawn": ("抽检", "audited"),
    "quality.col.reviewed": ("已审", "reviewed"),
    "quality.col.fields": ("字段", "fields"),
    "quality.col.wrong": ("错误", "wrong"),
    "quality.col.rate": ("错误率", "error rate"),
    "quality.col.low": ("区间下限", "interval low"),
    "quality.col.high": ("区间上限", "interval high"),
    "quality.col.loaded": ("已入库", "loaded"),
    "quality.col.reason": ("原因", "why"),
    "quality.col.more": ("还需抽检（条）", "more to audit (records)"),
    "quality.col.level": ("分组", "group"),
    "quality.col.records": ("记录", "records"),
    "quality.why_extend": (
        "；再抽 {more} 条且全部无误即可证明达标：扩大抽检",
        "; {more} more records all right would prove the target met: the audit is extended",
    ),
    "quality.why_whole": (
        "；证明达标还需再抽 {more} 条，超过该卷的 {share:.0%}：整卷送审",
        "; proving the target met needs {more} more records, over {share:.0%} of the volume: the whole volume goes to review",
    ),
    "quality.why_pending": ("已审 {reviewed} / {drawn} 条抽检记录", "{reviewed} of {drawn} audit records reviewed"),
    "quality.why_pending_wrong": (
        "；其中字段 {fields:.0f} 个、错 {wrong:.0f} 个（估计 {rate:.2%}）。按所抽 {drawn} 条计（未审的 {pending} 条按无误计），"
        "下限 {low:.2%} 未超过目标 {target:.2%}：暂不退回，等抽检审完再定",
        "; {wrong:.0f} of their {fields:.0f} fields wrong (estimate {rate:.2%}). Over the {drawn} records drawn (the "
        "{pending} pending counted right) the lower bound {low:.2%} is within the target {target:.2%}: not sent back "
        "yet, decided when the audit is reviewed",
    ),
    "quality.why_reviewed_whole": (
        "本卷 {population} 条自动通过记录已全部经人工审核（{wrong:.0f}/{fields:.0f} 个字段有误，均已在审核中更正），无需退回或复核",
        "all {population} auto-accepted records of the volume were reviewed by people ({wrong:.0f} of {fields:.0f} "
        "fields wrong, each corrected in review): nothing to send back or re-check",
    ),
    "quality.why_passed": (
        "已审抽检记录 {n} 条，字段 {fields:.0f} 个，错 {wrong:.0f} 个（估计 {rate:.2%}）；95 % 区间上限 {high:.2%} 不超过目标 {target:.2%}：达标",
        "{n} audit records reviewed, {wrong:.0f} of {fields:.0f} fields wrong (estimate {rate:.2%}); the upper end of "
        "the 95 % interval, {high:.2%}, is within the target {target:.2%}: passed",
    ),
    "quality.why_high": (
        "已审抽检记录 {n} 条，字段 {fields:.0f} 个，错 {wrong:.0f} 个（估计 {rate:.2%}）；95 % 区间上限 {high:.2%} 超过目标 "
        "{target:.2%}，但下限 {low:.2%} 未超过：样本尚不能证明达标，也不能证明不达标",
        "{n} audit records reviewed, {wrong:.0f} of {fields:.0f} fields wrong (estimate {rate:.2%}); the upper end of the "
        "95 % interval, {high:.2%}, is over the target {target:.2%}, the lower bound {low:.2%} is not: the sample shows "
        "neither that the target is met nor that it is missed",
    ),
    "quality.why_low": (
        "已审抽检记录 {n} 条，字段 {fields:.0f} 个，错 {wrong:.0f} 个（估计 {rate:.2%}）；按所抽 {drawn} 条计"
        "（未审的 {pending} 条按无误计），下限 {low:.2%} 仍超过目标 {target:.2%}：整卷自动通过记录退回审核",
        "{n} audit records reviewed, {wrong:.0f} of {fields:.0f} fields wrong (estimate {rate:.2%}); over the {drawn} "
        "records drawn ({pending} pending counted right) even the lower bound {low:.2%} is over the target "
        "{target:.2%}: the volume's auto-accepted records go back to review",
    ),
    "quality.why_sent_earlier": (
        "此前已按当时的证据退回（记录仍在审核中）；按现在的证据（已审抽检记录 {n} 条，字段 {fields:.0f} 个，错 {wrong:.0f} 个，"
        "估计 {rate:.2%}；按所抽 {drawn} 条计下限 {low:.2%}）不足以证明超出目标 {target:.2%}",
        "sent back earlier on the evidence then (its records are still in review); the evidence now ({n} audit records "
        "reviewed, {wrong:.0f} of {fields:.0f} fields wrong, estimate {rate:.2%}; lower bound {low:.2%} over the {drawn} "
        "drawn) does not show it over the target {target:.2%}",
    ),
    "quality.why_title": ("各卷为何退回或不退回", "Why each volume is or is not sent back"),
    "quality.why_none": ("尚无自动通过记录", "no auto-accepted record yet"),
    "quality.sent_back_line": (
        "{label}：{sent} 条尚未入库的自动通过记录已退回审核。原因：{why}",
        "{label}: {sent} auto-accepted record(s) not loaded yet were sent back to review. Why: {why}",
    ),
    "quality.recheck_line": (
        "{label}：{loaded} 条自动通过记录已入库，需复核。原因：{why}",
        "{label}: {loaded} auto-accepted record(s) are loaded already and need checking again. Why: {why}",
    ),
    "quality.recheck_button": ("把「{label}」已入库的记录也送审", "Send the loaded records of “{label}” to review too"),
    "quality.recheck_done": (
        "{n} 条已入库记录已送审；审核后会作为更新再次入库。",
        "{n} loaded record(s) sent to review; once reviewed they are loaded again as updates.",
    ),
    "quality.acted": ("刚刚执行：{label} — {verdict}（退回 {sent} 条）", "Just done: {label} — {verdict} ({sent} sent back)"),
    "quality.by_type": ("按字段类型", "By field type"),
    "quality.by_kind": ("按台账类型", "By register kind"),
    "quality.by_home": ("按殡仪馆", "By funeral home"),
    "quality.weighted": (
        "合并各卷时，每条抽检记录按其所在卷自动通过记录数加权。",
        "Volumes are combined with each audit record weighted by its volume's number of auto-accepted records.",
    ),
    "quality.csv": ("下载质量表（CSV）", "Download the quality table (CSV)"),
    "th.intro": (
        "出厂阈值是在生成的台账上拟合的。这里用本库审核员的审核结果（含抽检记录）重新拟合各字段类型的阈值和每页上限，"
        "按卷册交叉验证（每卷只用其他卷拟合的阈值来评估），并与在用阈值对比。",
        "The thresholds shipped were fitted on generated registers. Here they are fitted again, per field type with the "
        "per-page limit, on this archive's reviews (audit records included), cross-validated by volume (each volume is "
        "judged only by thresholds fitted on the others), and compared with the thresholds in use.",
    ),
    "th.in_use": ("在用阈值：{name}", "Thresholds in use: {name}"),
    "th.default": ("出厂阈值（生成台账拟合）", "as shipped (fitted on generated registers)"),
    "th.versions": ("阈值版本", "Threshold versions"),
    "th.col.version": ("版本", "version"),
    "th.col.when": ("时间", "when"),
    "th.col.who": ("写入人", "written by"),
    "th.col.note": ("说明", "note"),
    "th.col.active": ("在用", "in use"),
    "th.preview": ("根据审核结果重新拟合（预览）", "Fit again from the reviews (preview)"),
    "th.target": (
        "拟合目标（自动通过字段错误率，以单侧 95% 置信上限计）",
        "Target of the fit (share of auto-accepted fields wrong, as its one-sided 95 % upper bound)",
    ),
    "th.col.type": ("字段类型", "field type"),
    "th.col.now": ("在用", "in use"),
    "th.col.new": ("重新拟合", "fitted again"),
    "th.col.why": ("说明", "why"),
    "th.why.loosened": (
        "已放宽：放宽后新增通过的已审记录本身即足以证明达标",
        "loosened: the reviewed records it lets through show the target on their own",
    ),
    "th.why.raised": ("已收紧：自动通过的记录中有错误字段", "raised: auto-accepted records held wrong fields"),
    "th.why.no_lower": ("保持：没有读得更低的已审记录", "kept: no reviewed record read lower"),
    "th.why.wrong_lower": (
        "保持：读得更低的 {records} 条已审记录中有 {wrong} 个字段有误",
        "kept: {wrong} field(s) wrong among the {records} reviewed records read lower",
    ),
    "th.why.too_few": (
        "保持：已审数据不足，无法放宽（读得更低的 {records} 条记录、{fields} 个字段全对，置信上限 {upper} 仍高于目标）",
        "kept: not enough reviewed values to loosen ({records} records read lower, {fields} fields all right, "
        "upper bound {upper} still above the target)",
    ),
    "th.not_loosened": (
        "已审数据不足，无法放宽：{types}。阈值只在其新增通过的已审记录本身足以证明达标（约 {needed} 个字段全对）时才会放宽。",
        "Not enough reviewed values to loosen: {types}. A threshold is loosened only where the reviewed records it "
        "lets through show the target on their own (about {needed} fields all right).",
    ),
    "th.bound_ok": (
        "重新拟合后，已审记录中自动通过字段的错误率单侧 95% 置信上限为 {upper}，不高于目标 {target}。",
        "At the refit thresholds the one-sided 95 % upper bound of the wrong share among auto-accepted reviewed "
        "fields is {upper}, within the target {target}.",
    ),
    "th.bound_short": (
        "已审记录尚不足以证明达到目标：自动通过字段错误率的单侧 95% 置信上限为 {upper}，高于目标 {target}；"
        "已排除所有含已发现错误的记录，约需 {needed} 个自动通过记录的字段全部审核无误才能证明达标。",
        "The reviews do not show the target yet: the one-sided 95 % upper bound of the wrong share among "
        "auto-accepted fields is {upper}, above the target {target}; every record with a wrong field found is "
        "kept out, and about {needed} auto-accepted fields reviewed all right would show it.",
    ),
    "th.evidence": (
        "依据：{records} 条审核完成的记录（抽检 {audited} 条，送审 {held} 条），"
        "来自 {volumes} 卷，{fields} 个字段；代表 {weighted:.0f} 条记录",
        "Evidence: {records} reviewed records ({audited} audit records, {held} held for review) from {volumes} "
        "volume(s), {fields} fields; standing for {weighted:.0f} records",
    ),
    "th.cv": (
        "重新拟合（按卷交叉验证，{folds} 折）：直通率 {st}，自动通过字段错误率 {wr}",
        "Fitted again (cross-validated by volume, {folds} folds): straight-through {st}, auto-accepted fields wrong {wr}",
    ),
    "th.captures": (
        "按页面类型（扫描、拍照、低分辨率）分别拟合：",
        "Fitted per capture kind (scanned, photographed, low-resolution pages):",
    ),
    "th.cv_none": (
        "只有一卷有审核结果，无法交叉验证：请先审核更多卷的记录。",
        "Only one volume has reviews, so nothing can be cross-validated: review records of more volumes first.",
    ),
    "th.current": (
        "在用阈值在同一依据上：直通率 {st}，自动通过字段错误率 {wr}",
        "The thresholds in use, on the same evidence: straight-through {st}, auto-accepted fields wrong {wr}",
    ),
    "th.save": ("保存为新版本", "Save as a new version"),
    "th.saved": ("已写入 {name}（尚未启用）", "{name} written (not in use yet)"),
    "th.apply": ("启用所选版本并重新映射", "Use the chosen version and map again"),
    "th.rollback": ("回退到上一个版本并重新映射", "Roll back to the previous version and map again"),
    "th.pick": ("要启用的版本", "Version to use"),
    "th.launched": (
        "已在后台开始重新映射（进程 {pid}），输出见 {log}",
        "Mapping again in the background (process {pid}); its output goes to {log}",
    ),
    "th.cli": (
        "命令行：`backfill calibrate --from-reviews`，`backfill remap --thresholds vN`，`backfill remap --rollback`",
        "Command line: `backfill calibrate --from-reviews`, `backfill remap --thresholds vN`, `backfill remap --rollback`",
    ),
    "lx.intro": (
        "审核员录入、但官方名录（区、镇街、村、海域）中没有的地名，会成为建议；审核员把地名中的某字改为另一字的次数也会统计。"
        "采纳的条目写入本地词库（有版本，记录谁、何时），映射时与官方名录一起使用；采纳的混淆字对只会让此类读法存疑，从不自动改写。",
        "Place names reviewers typed that no official list (districts, towns and streets, villages, sea areas) holds "
        "become suggestions; so do the characters reviewers changed into another one in place names, with how often. "
        "What is accepted goes into a local lexicon (versioned, with who and when), used with the official lists when "
        "mapping; an accepted character pair only makes such readings doubtful, it never rewrites them.",
    ),
    "lx.open": ("待决定的建议", "Suggestions to decide"),
    "lx.none": ("暂无建议。", "No suggestion yet."),
    "lx.confusions": ("审核员更正过的混淆字对", "Characters reviewers corrected into another"),
    "lx.decided": ("已决定", "Decided"),
    "lx.col.kind": ("类型", "kind"),
    "lx.col.name": ("名称", "name"),
    "lx.col.parent": ("所属", "belongs to"),
    "lx.col.count": ("次数", "times"),
    "lx.col.scans": ("来源扫描件", "seen on the scans"),
    "lx.col.status": ("状态", "status"),
    "lx.col.read": ("读作", "read as"),
    "lx.col.written": ("改为", "corrected to"),
    "lx.col.by": ("决定人", "decided by"),
    "lx.col.reason": ("理由", "reason"),
    "lx.scan": ("{file} 第{page}页第{row}行", "{file} page {page} row {row}"),
    "lx.scans_sep": ("；", "; "),
    "lx.kind.village": ("村", "village"),
    "lx.kind.town": ("镇/乡", "town"),
    "lx.kind.street": ("街道", "street"),
    "lx.kind.sea_area": ("海域", "sea area"),
    "lx.kind.confusion": ("混淆字对", "character pair"),
    "lx.status.open": ("待决定", "to decide"),
    "lx.status.accepted": ("已采纳", "accepted"),
    "lx.status.refused": ("不采纳", "refused"),
    "lx.pick": ("选择建议", "Suggestion"),
    "lx.pick_pair": ("{kind}：{read}→{written}（{count}）", "{kind}: {read} → {written} ({count})"),
    "lx.pick_place": ("{kind}：{name}（{parent}，{count}）", "{kind}: {name} ({parent}, {count})"),
    "lx.district": ("所在区县代码（6 位）", "Code of its district (6 digits)"),
    "lx.reason": ("理由（可选）", "Reason (optional)"),
    "lx.accept": ("采纳", "Accept"),
    "lx.refuse": ("不采纳", "Refuse"),
    "lx.done": (
        "「{name}」：{what}；本地词库 {file} 已启用。用它重新映射已存储的单元格：",
        "“{name}”: {what}; the local lexicon {file} is in use. Map the stored cells again with it:",
    ),
    "lx.remap": ("用本地词库重新映射已存储的单元格", "Map the stored cells again with the local lexicon"),
    "lx.in_use": ("在用本地词库：{name}", "Local lexicon in use: {name}"),
    "lx.default": ("无（仅官方名录）", "none (official lists only)"),
}
STRINGS.update({f"done.col.{k}": v for k, v in COLUMN_LABELS.items()})  # one table with `backfill status`
STRINGS.update({f"quality.state.{k}": v for k, v in STATE_LABELS.items()})  # one table with `status --quality`

#: flag wordings rewritten for a reviewer (the rest: mapping.flags)
REVIEWER_FLAGS: dict[str, tuple[str, str]] = {
    "missing_mandatory": ("必填项为空或无法识别", "mandatory value empty or unreadable"),
}

#: English labels of the spec's fields (the spec's labels are Chinese)
FIELD_EN = {
    "funeral_home_code": "Funeral home",
    "cremation_cert_no": "Cremation certificate no.",
    "cremation_no": "Cremation no.",
    "deceased_name": "Name of the deceased",
    "sex_code": "Sex",
    "id_type": "ID type",
    "id_number": "ID number",
    "id_number_raw": "ID number (as written)",
    "birth_date": "Date of birth",
    "age_years": "Age",
    "ethnicity_code": "Ethnicity",
    "household_division_code": "Household registration (division)",
    "household_address": "Household address",
    "death_date": "Date of death",
    "death_cause_code": "Cause of death",
    "death_cert_issuer_type": "Death certificate issued by",
    "cremation_date": "Date of cremation",
    "ashes_destination_code": "Where the ashes went",
    "agent_name": "Agent's name",
    "agent_phone": "Agent's phone",
    "agent_relation_code": "Agent's relation to the deceased",
    "remarks": "Remarks",
    "registration_no": "Registration no.",
    "scattering_date": "Date of scattering",
    "voyage_no": "Voyage no.",
    "sea_area": "Sea area",
    "registrant_name": "Registrant's name",
    "registrant_relation_code": "Registrant's relation to the deceased",
    "registrant_phone": "Registrant's phone",
    "onboard_count": "People on board",
}


#: English wordings of the spec's code tables (/work/shared/SPEC.md; mapping/data/mzt141-draft-0.json), table ->
#: code -> English. The stored code never changes: only its label follows the reader's language (code_label).
#: Translated from the tables' own Chinese wordings: GB/T 2261.1 (sex), GB/T 3304 (the nationalities' official
#: romanized names), GB/T 4761 (family relations), GB/T 2260 (division names in pinyin), and the Shandong
#: upload schema's lists (ID type, cause of death, certificate issuer, where the ashes went).
CODE_EN: dict[str, dict[str, str]] = {
    "sex": {"0": "Unknown", "1": "Male", "2": "Female", "9": "Not stated"},
    "id_type": {"0": "Resident ID card", "1": "Military officer's ID", "2": "Police officer's ID", "3": "Other document"},
    "ethnicity": {
        "01": "Han",
        "02": "Mongol",
        "03": "Hui",
        "04": "Tibetan",
        "05": "Uyghur",
        "06": "Miao",
        "07": "Yi",
        "08": "Zhuang",
        "09": "Buyei",
        "10": "Korean",
        "11": "Manchu",
        "12": "Dong",
        "13": "Yao",
        "14": "Bai",
        "15": "Tujia",
    },
    "relation": {
        "10": "Spouse",
        "20": "Son",
        "30": "Daughter",
        "40": "Grandchild",
        "50": "Parent",
        "60": "Grandparent",
        "70": "Sibling",
        "97": "Other relative",
        "99": "Not a relative",
    },
    "death_cause": {
        "01": "Natural death",
        "02": "Illness",
        "03": "Accident",
        "04": "Traffic accident",
        "05": "Homicide",
        "06": "Suicide",
        "07": "Drowning",
        "08": "Poisoning",
        "09": "Natural disaster",
        "10": "Other",
    },
    "death_cert_issuer": {
        "1": "Hospital",
        "2": "Public security (police)",
        "3": "Village (residents') committee",
        "4": "Employer",
    },
    "ashes_destination": {
        "1": "Public-welfare cemetery, place of household registration",
        "2": "Public-welfare cemetery, elsewhere",
        "3": "Commercial cemetery, place of household registration",
        "4": "Commercial cemetery, elsewhere",
        "5": "Own family grave",
        "6": "Kept at the funeral home (ashes storage)",
        "7": "Ashes scattered",
        "8": "Ashes not kept",
        "9": "Other",
    },
    "division": {
        "370602": "Zhifu District",
        "370611": "Fushan District",
        "370612": "Muping District",
        "370613": "Laishan District",
        "370614": "Penglai District",
        "370634": "Changdao County",
        "370681": "Longkou City",
        "370682": "Laiyang City",
        "370683": "Laizhou City",
        "370684": "Penglai City",
        "370685": "Zhaoyuan City",
        "370686": "Qixia City",
        "370687": "Haiyang City",
    },
}


def code_label(table: str | None, code: Any, lang: str | None = None) -> str | None:
    """A code's label in the reader's language: the spec's Chinese wording, or its English one (CODE_EN;
    the Chinese one where a code has none). None for a code the table does not have."""
    if not table or code in (None, ""):
        return None
    from mapping.spec import load_spec

    ct = load_spec().code_tables.get(table)
    zh = ct.codes.get(str(code)) if ct is not None else None
    if zh is None:
        return None
    if (lang or language()) == "en":
        return CODE_EN.get(table, {}).get(str(code), zh)
    return zh


def box_text(f: Any, lang: str | None = None) -> str:
    """What a field's form box shows when untouched (`f`: a pipeline.review.queue.FieldView): the stored
    form text, a code's label in the reader's language (女 / Female); the stored code is the same."""
    if f.code_table and f.code_label and f.form_text == f.code_label:
        return code_label(f.code_table, f.value, lang) or f.form_text
    return f.form_text


def code_text_in(table: str | None, text: str) -> str:
    """A code field's text as typed, for the store: an English label (any case) becomes the spec's Chinese
    label of its code, which the mapping reads (mapping.spec lookup); any other text is left as typed."""
    if not table:
        return text
    key = text.strip().casefold()
    for code, en in CODE_EN.get(table, {}).items():
        if en.casefold() == key:
            from mapping.spec import load_spec

            ct = load_spec().code_tables.get(table)
            return ct.codes.get(code, text) if ct is not None else text
    return text


_last = [DEFAULT]  # the language of the last app run in this process: for format functions called outside a run (AppTest)


def language() -> str:
    """The current user's language (st.session_state["lang"]); outside an app's run (a test driving
    the app, a script), the language of the last run, else "zh"."""
    try:
        import streamlit as st
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

        if get_script_run_ctx(suppress_warning=True) is None:
            return _last[0]
        lang = st.session_state.get("lang", DEFAULT)
    except Exception:  # noqa: BLE001 - no Streamlit session: the default
        return _last[0]
    lang = lang if lang in LANGUAGES else DEFAULT
    _last[0] = lang
    return lang


def t(key: str, lang: str | None = None, **params: Any) -> str:
    """The text of `key` in the current language (or `lang`), with {params} filled in."""
    pair = STRINGS.get(key)
    if pair is None:
        return key
    text = pair[1] if (lang or language()) == "en" else pair[0]
    try:
        return text.format(**params) if params else text
    except (KeyError, IndexError, ValueError):
        return text


#: pipeline error messages (English, for the log and the command line) a user meets on a page, as keys here
ERRORS = (
    (re.compile(r"^enter a user name"), "users.err.name_empty"),
    (re.compile(r"^user name '(?P<name>.*)' is not valid"), "users.err.name"),
    (re.compile(r"^the password for .+ is too short \(at least (?P<n>\d+)"), "users.err.password"),
    (re.compile(r"^user (?P<name>.+) already exists"), "users.err.exists"),
    # pipeline.kernel.safety.require_scan_folder
    (re.compile(r"^(?P<folder>.+): no such folder$"), "launch.err.folder"),
    (re.compile(r"^(?P<folder>.+): a file, not a folder$"), "launch.err.folder_file"),
    (re.compile(r"^--year '(?P<year>.*)' is not a year or a range"), "launch.err.year"),
)


def error_text(e: BaseException, lang: str | None = None, *, hint: bool = False) -> str:
    """A pipeline error in the user's words where it is one of ERRORS, else its message (with its hint)."""
    msg = str(e)
    for rx, key in ERRORS:
        m = rx.match(msg)
        if m:
            return t(key, lang, **m.groupdict())
    said = getattr(e, "hint", None) if hint else None
    return msg + (f" ({said})" if said else "")


def worded(prefix: str, code: object, lang: str | None = None) -> str:
    """A stored code in words, `prefix.code`'s text (an audit state, a record status, a link's decision); the
    code itself where none is worded."""
    key = f"{prefix}.{code}"
    text = t(key, lang)
    return str(code) if text == key else text


def joined(items: Any, lang: str | None = None) -> str:
    """Items listed in the user's language: 甲、乙 in Chinese, "a, b" in English."""
    return ("、" if (lang or language()) != "en" else ", ").join(str(i) for i in items)


def clauses(items: Any, lang: str | None = None) -> str:
    """Clauses one after the other: 甲；乙 in Chinese, "a; b" in English."""
    return ("；" if (lang or language()) != "en" else "; ").join(str(i) for i in items)


def colon(lang: str | None = None) -> str:
    """The colon between a name and what is said of it: ： in Chinese, ": " in English."""
    return "：" if (lang or language()) != "en" else ": "


def field_label(name: str, kind: str | None = None, lang: str | None = None) -> str:
    """A field's label: the spec's Chinese label, or its English one."""
    if (lang or language()) == "en":
        return FIELD_EN.get(name, name.replace("_", " "))
    from mapping.spec import load_spec

    spec = load_spec()
    for k in ([kind] if kind else []) + list(spec.kinds):
        ks = spec.kinds.get(k) if k else None
        f = ks.field(name) if ks is not None else None
        if f is not None and f.label:
            return f.label
    return name


def flag_text(code: str, lang: str | None = None) -> str:
    """Why a field is highlighted, for a reviewer: a flag code, "low_confidence", "unknown_column" or
    "hidden_column" (pipeline.review.queue.UNREAD_COLUMNS)."""
    if f"issue.{code}" in STRINGS:
        return t(f"issue.{code}", lang)
    en = (lang or language()) == "en"
    pair = REVIEWER_FLAGS.get(code)
    if pair is not None:
        return pair[1] if en else pair[0]
    info = FLAGS.get(code)
    if info is None:
        return code
    return info.en if en else info.zh


def note_texts(flags: list[str], lang: str | None = None) -> list[str]:
    """How a value was reached, for every info flag it carries (mapping.flags severity "info": where it
    came from, what was folded or confirmed, e.g. a legacy ID converted, a register number confirmed by
    its run, a second reading that agreed): grey notes beside the value, not reasons to look. A reviewer
    checking an auto-accepted or sure value sees on what the machine's word rests."""
    en = (lang or language()) == "en"
    return [(FLAGS[f].en if en else FLAGS[f].zh) for f in flags if f in FLAGS and FLAGS[f].severity == "info"]


def gap_text(code: str, lang: str | None = None) -> str:
    return t(f"gap.{code}", lang)


def refusal_text(refusal: Any, lang: str | None = None) -> str:
    """Why a typed correction was not saved (a pipeline.review.corrections.Refusal), in red under its box."""
    if refusal.code == "invalid":
        if refusal.flags:
            return t(
                "refuse.invalid",
                lang,
                field=field_label(refusal.field, lang=lang),
                why=clauses((flag_text(f, lang) for f in refusal.flags), lang),
            )
        return t("refuse.invalid_plain", lang)
    return t(f"refuse.{refusal.code}", lang)


COLUMN_DOUBTS = (
    ("its header reads as two columns' headers", "cols.doubt.two_columns"),
    ("its header names two fields", "cols.doubt.two_columns"),
    ("its cells read as two columns' values", "cols.doubt.two_columns"),
    ("its cells hold two printed columns", "cols.doubt.two_columns"),
    ("split from a column whose header read as two", "cols.doubt.split"),
    ("split from a column its header and cells did not identify", "cols.doubt.split_gap"),
    ("its cells repeat those of column", "cols.doubt.read_twice"),
    ("its header reads as the serial's and", "cols.doubt.serial_fused"),
    ("its header reads as ", "cols.doubt.header_reads"),
    ("most of its cells (", "cols.doubt.cells_unlike"),
    ("its cells are doubted one by one", "cols.doubt.cells_by_shape"),
    ("its header and cells fit ", "cols.doubt.rival"),
    ("another column fits ", "cols.doubt.rival"),
    ("identified only by elimination", "cols.doubt.elimination"),
    ("its header and its cells disagree", "cols.doubt.disagree"),
    ("its field is told by its volume", "cols.doubt.volume"),
    ("its header is not read as ", "cols.doubt.decoded"),
    ("its cells are told only by their form", "cols.doubt.by_form"),
    ("its cells read as relation wordings, but", "cols.doubt.relation_alone"),
)
"""How a column's stored doubt (mapping.headers.ASSIGNMENT_DOUBTS; pipeline.page.extract's doubts of a column
holding two printed columns or one read twice; structure.MERGED_HEADER_DOUBT) begins, and its words for a
reviewer; the first head that fits is taken (a header read as two headers before one read as another field)."""


def column_doubt_text(reason: str, lang: str | None = None) -> str:
    """A column's doubt in the reviewer's words (COLUMN_DOUBTS); another doubt (a seal, cells read as two
    columns) as stored, after "other doubt"."""
    for head, key in COLUMN_DOUBTS:
        if reason.startswith(head):
            return t(key, lang)
    return t("cols.doubt.other", lang) + f" ({labelled_fields(reason, lang)})"


_FIELD_NAME = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)*\b")


def labelled_fields(text: str, lang: str | None = None) -> str:
    """A stored English line with every field name in it (household_address) given as the field's label in
    the reader's language (住址 / Household address): the spec's internal names are not a reviewer's words."""
    from mapping.spec import load_spec

    names = {f.name for ks in load_spec().kinds.values() for f in ks.fields}
    return _FIELD_NAME.sub(lambda m: field_label(m[0], lang=lang) if m[0] in names else m[0], text)


def column_why_text(why: str, lang: str | None = None) -> str:
    """Why a page's column is in doubt (PAGE_ASSIGNMENT_DOUBT's "why": one column doubt, or several joined
    by "; " where queue._one_column_unsure said them in one line), for a reviewer. In Chinese each doubt in
    the words of the columns page (COLUMN_DOUBTS, said once); in English the stored sentence, its field names
    given as labels (labelled_fields)."""
    parts = [p.strip() for p in why.split("; ") if p.strip()]
    if (lang or language()) == "en":
        return "; ".join(labelled_fields(p, "en") for p in parts)
    said: list[str] = []
    for p in parts:
        key = next((k for head, k in COLUMN_DOUBTS if p.startswith(head)), "cols.doubt.other")
        if t(key, lang) not in said:
            said.append(t(key, lang))
    return "；".join(said) or t("cols.doubt.other", lang)


def record_reason_text(code: str, params: dict[str, Any], *, short: bool = False, lang: str | None = None) -> str:
    """A record-level reason (pipeline.review.queue.record_reason) in the reviewer's words."""
    if code == "column_unsure" and "why" in params:
        params = {**params, "why": column_why_text(str(params["why"]), lang)}
    if code == "unknown_columns" and "fields" in params:
        params = {**params, "fields": joined((field_label(f.strip(), lang=lang) for f in str(params["fields"]).split(",")), lang)}
    if code == "column_unsure" and "field" in params:  # one field or several (queue._one_column_unsure)
        quote = "“{}”" if (lang or language()) != "en" else "{}"
        names = (quote.format(field_label(f.strip(), lang=lang)) for f in str(params["field"]).split(","))
        params = {**params, "field": joined(names, lang)}
    if code == "unfitted_capture" and "capture" in params:  # the kind's label (pipeline.kernel.thresholds)
        zh, en = CAPTURE_LABELS.get(str(params["capture"]), (str(params["capture"]),) * 2)
        params = {**params, "capture": zh if (lang or language()) != "en" else en if short else en[:1].upper() + en[1:]}
    key = f"record.{code}" + (".short" if short else "")
    if key not in STRINGS:
        key = f"record.{code}"
    return t(key, lang, **params) if key in STRINGS else str(params.get("text", code))


def confidence_level(confidence: float, threshold: float) -> str:
    """A confidence in words, against the field's threshold: high (surer than both the threshold and
    0.95), ok (at least the threshold), low, very_low (under half the threshold)."""
    if confidence >= max(threshold, 0.95):
        return "high"
    if confidence >= threshold:
        return "ok"
    if confidence >= threshold / 2:
        return "low"
    return "very_low"
