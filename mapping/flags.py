"""Flag codes put on FieldValue.flags: stable snake_case, each with a Chinese + English description.

Severity says what the flag does to a field's confidence when a validation adds it:
info (x1.0, a note for reviewers), warn (x0.7, probably fine), error (x0.3, must be checked).
Normalizers express their own doubt through `Normalized.certainty` instead.
"""

from __future__ import annotations

from typing import NamedTuple


class FlagInfo(NamedTuple):
    zh: str
    en: str
    severity: str  # info | warn | error


FLAGS: dict[str, FlagInfo] = {
    # --- reading a value
    "unparseable": FlagInfo("无法识别为该字段的格式", "text could not be read as this field's type", "error"),
    "unrecognized": FlagInfo("措辞不在代码表中", "wording not found in the code table", "error"),
    "fuzzy_match": FlagInfo("按近似措辞匹配代码（OCR 可能有误）", "code matched on approximate wording (OCR noise)", "warn"),
    "partial_match": FlagInfo("按文字中包含的措辞匹配代码", "code matched on a wording contained in the text", "info"),
    "kinship_term_outside_table": FlagInfo(
        "亲属称谓可能不在 GB/T 4761 代码表中，未按相近措辞定代码，请核对",
        "a kinship term GB/T 4761's table may not hold: not coded by a neighbouring wording; check it",
        "warn",
    ),
    "ocr_char_fixed": FlagInfo(
        "已更正 OCR 常见字符混淆（如 O→0、l→1）", "common OCR character confusions fixed (O→0, l→1)", "warn"
    ),
    "edge_stroke_removed": FlagInfo(
        "日期首尾多出的 1 可能是表格线，去掉后为有效日期，请核对",
        "a 1 at the date's start or end may be a ruling line: without it the date is valid; check it",
        "warn",
    ),
    "edge_stroke_ambiguous": FlagInfo(
        "号码首尾的竖线可能是表格线而非数字 1，去掉后也是有效号码，请核对",
        "a stroke at the number's end may be a ruling line, not a 1; the number without it is valid too: check it",
        "warn",
    ),
    "punctuation_removed": FlagInfo("已去除多余标点", "stray punctuation removed", "info"),
    "traditional_form_folded": FlagInfo(
        "繁体字形已按《通用规范汉字表》写作简化字（原识别文字保留）",
        "traditional character forms written as their simplified form (通用规范汉字表); the reading is kept",
        "info",
    ),
    "stray_marks_removed": FlagInfo(
        "值两端有不属于该格式的字符（印章、格线或邻格笔画），已去除，请核对",
        "marks at the ends that the field's format cannot hold (a stamp, a ruling line, a neighbour's ink) were left out; check it",
        "warn",
    ),
    "bad_characters": FlagInfo("含不允许的字符", "contains characters the field does not allow", "error"),
    "too_long": FlagInfo("超过规范最大长度", "longer than the spec's maximum length", "error"),
    "multiple_values": FlagInfo("格内有多个值，仅取第一个", "several values in the cell; the first was taken", "warn"),
    "gap_in_serial": FlagInfo(
        "编号中间有空格，可能漏识了连字符或数字", "a gap inside a serial number: a hyphen or digit may be lost", "warn"
    ),
    "ditto_resolved": FlagInfo(
        "格内为同上符号（〃、同上、仝、短横），已取上一行的值，请核对",
        "a ditto mark (〃, 同上, 仝, a short dash): the value of the row above was taken; check it",
        "warn",
    ),
    "unlike_column": FlagInfo(
        "与本页同列其他编号的写法不同，可能漏识了字符",
        "written unlike the rest of its column on the page: a character may be lost",
        "warn",
    ),
    "separator_lost": FlagInfo(
        "编号缺少本页同列其他编号都有的分隔符（如 12-04 读作 1204，连字符可能在扫描或识别时丢失），已按本列写法补回分隔符，请核对",
        "the number lacks the separator the other numbers of its column on the page have (12-04 read 1204: the hyphen may be lost in scanning or reading); put back as the column writes it, check it",
        "warn",
    ),
    "prefix_from_column": FlagInfo(
        "编号开头的字母按本页同列其他编号补写（识别为数字或别的字母），请核对",
        "the number's leading letters written as the rest of its column on the page has them (read as digits or other letters); check",
        "warn",
    ),
    "prefix_read_as_digits": FlagInfo(
        "本页同列编号开头多为字母，此号开头却读成数字：字母可能被识别成数字，请核对",
        "the number begins with digits where most of its column on the page begins with letters: its leading letters may have been read as digits; check",
        "warn",
    ),
    "prefix_from_volume": FlagInfo(
        "本页读不出编号开头的字母，已按同册其他页同列编号补写（识别为数字或别的字母），请核对",
        "the page reads too few numbers with their leading letters: written as the volume's other pages have them (read as digits or other letters); check",
        "warn",
    ),
    "year_from_ledger": FlagInfo(
        "编号或日期未写年份，年份取自登记簿",
        "the number or date was written without its year; the ledger's year was used",
        "warn",
    ),
    "serial_fused_in_front": FlagInfo(
        "编号前粘连了序号（缺少表格线），已取其后的火化证号，需核对",
        "a serial number fused in front (a ruling line missing): the certificate number after it was taken; check",
        "warn",
    ),
    "page_serial_fused": FlagInfo(
        "编号中粘连了本页的序号（缺少表格线），已去掉序号，需核对",
        "the page's row serial was fused to the number (a ruling line missing) and was taken off: check",
        "warn",
    ),
    "split_from_merged_column": FlagInfo(
        "表头为两栏合一（缺少表格线），此值由该格文字拆分而来，需核对",
        "the header names two columns under one cell (a ruling line missing): this value was split from the cell's text; check",
        "warn",
    ),
    "year_before_ledger": FlagInfo(
        "日期未写年份，取登记簿年份会晚于火化日期，改取上一年",
        "a date written without its year fell after the cremation with the ledger's year: the year before was taken",
        "warn",
    ),
    "cert_wording_by_shape": FlagInfo(
        "火化证号中“火字第…号”的字识别为形近字（如 学→字；照片上 火 常被识别为 大），已按该写法读出号码",
        "a character of the certificate number's wording (火字第…号) was read as a look-alike (学 → 字; on photographs 火 is "
        "often read 大); read as that wording",
        "warn",
    ),
    "cert_no_out_of_run": FlagInfo(
        "火化证号与前后行的连续编号不接（前后行逐行加一），可能识别有误或不按顺序开具，请对照扫描件核对",
        "the certificate number breaks the run of its neighbours (they count up one a row): misread, or issued "
        "out of turn? Check it against the scan",
        "warn",
    ),
    "cert_no_decoded_by_run": FlagInfo(
        "火化证号读不通或与前后行的连续编号不接，按连续编号与识别模型常见的数字混淆填入该行应有的号码，须人工核对（识别原文已保留）",
        "the certificate number as read is no number of the run of its neighbours; the run's number, one digit "
        "confusion from the reading or inside it, is filled in, to be checked (the reading in raw)",
        "warn",
    ),
    "number_in_run": FlagInfo(
        "登记号读得不够确定，但与相邻行确定读出的登记号逐行加一相接（同一前缀、同样位数），按连续编号确认",
        "the register number was read unsure, but it is the number a neighbouring row read surely says (same prefix and "
        "width, one a row): confirmed by the run",
        "info",
    ),
    "nonstandard_format": FlagInfo(
        "不是火化证号的规范格式（4 位年份加 5 位序号），按原文保留，请对照扫描件核对",
        "not in the certificate number's format (a 4-digit year and a 5-digit serial); kept as printed: check it against the scan",
        "warn",
    ),
    "ink_wider_than_text": FlagInfo(
        "字迹宽度多于识别出的字数，可能漏识了字", "the ink is wider than the text read: a character was probably dropped", "warn"
    ),
    "neighbour_text_cut": FlagInfo(
        "编号前后连着别的文字（照片上邻行字迹或印章文字进入了本格），按本列编号的格式截取一个号码，须人工核对（识别原文已保留）",
        "the number was read with other text run into it (on a photograph a neighbouring row's writing or a "
        "seal's text reached into the cell): one number of the column's form was cut out, to be checked (the reading in raw)",
        "warn",
    ),
    "noise_reading_blanked": FlagInfo(
        "格内只读出杂点（纸纹、阴影、格线、印章或邻格墨迹读成字母、假名、符号，或一至三个不确定的字），按空白待核对（识别原文已保留）",
        "only noise read in the cell (paper grain, a shadow, a ruling line, a seal or a neighbour's ink read as letters, kana, "
        "marks or one to three unsure glyphs): left blank for review (the reading in raw)",
        "warn",
    ),
    "engines_agree": FlagInfo("首次识别把握不足，二次识别结果一致", "first reading unsure; a second reading agreed", "info"),
    "spec_chose_reading": FlagInfo(
        "两次识别不一致，仅其中一次是合规值（代码表写法、名录条目、校验通过的身份证号、有效日期），取该次",
        "two readings disagree and only one is a valid value (a code wording, a list entry, an ID whose check digit holds, a real date): that one was taken",
        "warn",
    ),
    "decoded_valid": FlagInfo(
        "识别结果不是合规值；取识别器自己在该格中认为最可能的合规值（校验通过、一处改动内的身份证号，名录中的海域，代码表中的用语，或符合规范写法的火化证号、日期、年龄、人数：这类数字无校验位，请对照扫描件核对）",
        "the reading was no valid value; the valid value the recognizer itself found likeliest in the cell was taken (an ID number one character away whose check digit holds, a listed sea area, a code table's wording, or a certificate number, date, age or count in one of the spec's written forms: such a number has no check digit, check it against the scan)",
        "warn",
    ),
    "readings_same_value": FlagInfo(
        "两次识别文字不同，但规范化后取值相同（如 养马岛海域 / 养马岛海城）",
        "two readings differ as text but give the same value (养马岛海域 / 养马岛海城): they agree on it",
        "info",
    ),
    "agreed_table_wording": FlagInfo(
        "两次识别一致，且是代码表中与其他代码的写法都相差两字以上的写法：按代码表确认",
        "both readings agree on a code-table wording at least two characters away from every wording of another code: as sure as such agreement is (measured)",
        "info",
    ),
    "engines_disagree": FlagInfo(
        "两次识别结果不一致（另一结果见原始单元格）", "two readings disagree (the other one is kept with the cell)", "warn"
    ),
    # --- dates
    "lunar_date": FlagInfo(
        "农历日期，不自动换算，需人工核对", "lunar-calendar date: never converted automatically, needs review", "error"
    ),
    "impossible_month": FlagInfo("月份不存在（一年只有 1–12 月）", "no such month (a year has months 1 to 12)", "error"),
    "impossible_day": FlagInfo(
        "日期不存在（该月没有这一天，如 2 月 30 日）", "no such day in that month (as 30 February)", "error"
    ),
    # the one code for both before impossible_month and impossible_day: kept for records stored with it
    "impossible_date": FlagInfo("不存在的日期", "the date does not exist", "error"),
    "incomplete_date": FlagInfo("日期不完整", "incomplete date", "error"),
    "date_separator_inferred": FlagInfo(
        "日期漏识一个分隔点，按唯一合法的拆分读取（如 2010.313→2010-03-13）",
        "a separator was lost in reading; the only split that is a real date was taken (2010.313 → 2010-03-13)",
        "warn",
    ),
    "date_separators_lost": FlagInfo(
        "日期的两个分隔点都未识别出（如 2015.4.25 识别为 2015425），已按唯一合法的拆分取值，请核对",
        "both separators of the date were lost in reading (2015.4.25 read 2015425): the only split that is a real date was taken; check",
        "warn",
    ),
    "implausible_date": FlagInfo("日期年份不合理", "implausible year", "error"),
    "two_digit_year": FlagInfo(
        "两位年份，按台账年份补全为 20xx", "two-digit year completed to 20xx from the ledger year", "info"
    ),
    "two_digit_year_implausible": FlagInfo(
        "两位年份与台账年份不符，未补全", "two-digit year does not fit the ledger year; not completed", "error"
    ),
    # --- ID numbers
    "check_digit_failed": FlagInfo("身份证号校验位错误", "ID number check digit (GB 11643) failed", "error"),
    "bad_length": FlagInfo("身份证号位数错误", "ID number has a wrong length", "error"),
    "bad_birth_date": FlagInfo("身份证号中的出生日期无效", "birth date inside the ID number is invalid", "error"),
    "impossible_id_region": FlagInfo(
        "身份证号前六位不可能是地址码（GB/T 2260 无此区划，多为某位数字读错），请核对",
        "the ID number's first six digits can be no address code (no such GB/T 2260 division: a digit is "
        "probably misread); check it",
        "error",
    ),
    "converted_15_to_18": FlagInfo("15 位旧身份证号已升为 18 位", "15-digit legacy ID converted to 18 digits", "info"),
    "legacy_id_region_unlisted": FlagInfo(
        "15 位旧身份证号的地址码不在行政区划表中（旧号无校验位，可能是 18 位号码读漏或读错），请核对",
        "the address code of a 15-digit legacy ID is no listed division (a legacy number has no check digit: "
        "it may be an 18-digit number read short or misread); check it",
        "warn",
    ),
    "legacy_id_birth_disagrees": FlagInfo(
        "15 位旧身份证号中的出生日期（第 7-12 位）与本行年龄、死亡日期或台账年份不符（旧号无校验位，多为出生日期某位数字读错，也可能是年龄或日期读错），请对照原件核对",
        "the birth date (digits 7-12) of a 15-digit legacy ID disagrees with the row's age, death date or the "
        "register's year (a legacy number has no check digit: a birth-date digit is probably misread, or the age "
        "or date is); check against the scan",
        "warn",
    ),
    "legacy_id_other_reading_longer": FlagInfo(
        "15 位旧身份证号的另一次识别读出更多位数字（可能是 18 位号码读漏，旧号无校验位），请核对",
        "the other reading of a 15-digit legacy ID's cell holds more digits (it may be an 18-digit number "
        "read short; a legacy number has no check digit); check it",
        "warn",
    ),
    "id_corrected": FlagInfo(
        "身份证号校验位不符，已按唯一相符的 OCR 易混字符候选更正（识别原文已保留）",
        "ID check digit failed; corrected to the one valid number an OCR confusion away that fits the row (printed text in raw)",
        "warn",
    ),
    "id_marks_dropped": FlagInfo(
        "身份证号中间夹有斑点或印章读成的标点，去掉后为合格号码，且与本行性别、年龄相符（识别原文已保留）",
        "marks inside the ID number (specks or stamp ink read as punctuation) were dropped: what is left is a valid "
        "number that fits the row's sex and age (the reading in raw)",
        "warn",
    ),
    "id_broken_four": FlagInfo(
        "身份证号中“1”前的标点是二值化扫描断开的“4”（横笔读成标点、竖笔读成1），按“4”读后为合格号码且与本行相符（识别原文已保留）",
        "a mark before a 1 in the ID number was read as a 4 broken on a 1-bit scan (its crossbar read as a mark, its "
        "upright as 1): so read, the number is valid and fits the row (the reading in raw)",
        "warn",
    ),
    "id_mark_before_one": FlagInfo(
        "15 位旧身份证号中“1”前有标点，可能是二值化扫描断开的“4”，旧号码无校验码，须人工核对（识别原文已保留）",
        "a mark stands before a 1 in the legacy 15-digit ID: the 1 may be a 4 broken on a 1-bit scan, and a legacy "
        "number has no check digit to tell; review it against the scan (the reading in raw)",
        "warn",
    ),
    "id_date_dropped": FlagInfo(
        "身份证号格内号码后还写有日期（与旁边的日期栏连成一格，栏界未找到），号码取日期之前的部分，须人工核对（识别原文已保留）",
        "the ID cell also held a date after the number (read together with the date column beside it, their "
        "boundary not found): the number is what precedes the date, to be checked (the reading in raw)",
        "warn",
    ),
    "id_decoded_by_row": FlagInfo(
        "身份证号读不通，识别模型认为最可能的合格号码与本行性别、年龄、死亡日期相符，相近的其他号码都不符，已填入，须人工核对（识别原文已保留）",
        "the ID number as read is not valid; the valid number the recognizer finds likeliest fits the row's sex, age "
        "and death date while every near rival does not: filled in, to be checked (the reading in raw)",
        "warn",
    ),
    "id_joined_across_row": FlagInfo(
        "身份证号折行写到下一行的格线以下：本格只读出号码前段，后段读在下一行的身份证号格开头，两段合成的号码通过校验位、出生日期和地址码检查，已填入，须人工核对（本格识别原文已保留）",
        "the ID number wrapped across the row line below: its cell read only its head and the row below's ID cell "
        "began with its tail; the two make a number that holds the check digit, birth date and address code: filled "
        "in, to be checked (this cell's reading in raw)",
        "warn",
    ),
    "id_proposed": FlagInfo(
        "身份证号仅为建议值：识别结果不能确定号码，已填入与本行性别、年龄、死亡日期相符的最可能号码，仅供参考，须对照原件核对（识别原文已保留）",
        "the ID number is only a proposal: its reading did not settle it, and the likeliest number that fits the "
        "row's sex, age and death date is filled in, to be checked against the scan (the reading in raw)",
        "warn",
    ),
    "id_proposed_age_misread": FlagInfo(
        "所读年龄与识别器给出的每个身份证号码都不符；把年龄中的一位数字按易混字形改读（或年龄读得太不确定、不予采用）后，提出本号码作为建议值。年龄也可能读错：请对照原件同时核对身份证号码和年龄",
        "the proposed ID number disagrees with the age as read: that age ruled out every number the recognizer "
        "scored; this one fits the age with one digit read as a look-alike (or the age, read less surely than any "
        "threshold, was not used); the age may be misread too: check the ID and the age against the scan",
        "warn",
    ),
    "legacy_id_sex_digit": FlagInfo(
        "15 位旧身份证号第 15 位（性别位）与性别栏不符：已改为识别易混、与性别栏相符的唯一数字（旧号无校验位，也可能是性别栏读错），请对照原件核对身份证号和性别",
        "the sex digit (15th) of a 15-digit legacy ID disagreed with the sex column: changed to the one digit it is "
        "misread for that fits the sex (a legacy number has no check digit: the sex column may be the one misread); "
        "check the ID and the sex against the scan",
        "warn",
    ),
    "legacy_id_region_digit": FlagInfo(
        "15 位旧身份证号前六位不是行政区划代码：已改为与之只差一位、与本行相符的唯一列表区划（旧号无校验位，也可能此人户籍不在列表区划内），请对照原件核对",
        "the first six digits of a 15-digit legacy ID were no listed division: changed to the one listed division "
        "a single digit away that fits the row (a legacy number has no check digit; the person may also be "
        "registered outside the listed divisions); check against the scan",
        "warn",
    ),
    "id_correction_ambiguous": FlagInfo(
        "身份证号校验位不符，有多个可能的更正，未更正",
        "ID check digit failed; several possible corrections: not corrected",
        "error",
    ),
    "derived_from_id": FlagInfo("由身份证号推得", "derived from the ID number", "info"),
    "id_unreadable": FlagInfo("身份证号未能读出，无从推得", "the ID number it comes from could not be read", "warn"),
    # --- other normalizers
    "implausible_age": FlagInfo("年龄不合理", "implausible age", "error"),
    "age_unit_read_as_digit": FlagInfo(
        "年龄末位疑为“岁”字被识别成数字（如 67岁 识别为 679），已取前面的数字，请核对",
        "the age's unit 岁 was probably read as a digit (67岁 read 679): the digits before it were kept; check",
        "warn",
    ),
    "age_read_by_dates": FlagInfo(
        "年龄识别有误（字母或相似数字，如 81 识别为 S1），已取本行出生、死亡日期所容许的唯一读法，请核对",
        "the age was misread (a letter or a look-alike digit: 81 read S1): the one reading of it the row's birth and death dates allow was taken; check",
        "warn",
    ),
    "age_decoded_by_dates": FlagInfo(
        "年龄与本行出生、死亡日期不符或未能识别（照片上数字模糊），已取识别模型对该格的读法中唯一与日期相符的年龄，须人工核对（识别原文已保留）",
        "the age disagrees with the row's birth and death dates or reads as none (blurred digits of a photograph): "
        "the one age among the recognizer's readings of the cell that fits them was taken; check (the reading in raw)",
        "warn",
    ),
    "date_decoded_by_order": FlagInfo(
        "日期未能识别出有效值（照片上数字模糊），已取识别模型对该格的读法中唯一符合本行日期先后（死亡、火化、海葬）的日期，须人工核对（识别原文已保留）",
        "the date reads as no date (blurred digits of a photograph): the one date among the recognizer's readings of "
        "the cell that keeps the row's order (death, cremation, scattering) was taken; check (the reading in raw)",
        "warn",
    ),
    "age_confirmed_by_dates": FlagInfo(
        "年龄与本行出生日期、死亡日期推算一致",
        "the age agrees with the row's birth and death dates",
        "info",
    ),
    "date_unit_read_as_digit": FlagInfo(
        "日期中的“月”或“日”字疑被识别成数字（如 12月4日 识别为 12月48），已按唯一可能的日期取值，请核对",
        "the date's unit 月 or 日 was probably read as a digit (12月4日 read 12月48): the one date it can be was taken; check",
        "warn",
    ),
    "age_under_one": FlagInfo("不满一岁（按月/天记载）", "under one year (written in months or days)", "info"),
    "bad_phone": FlagInfo("不是手机号或烟台固话", "neither a mobile number nor a Yantai landline", "error"),
    "phone_off_plan": FlagInfo(
        "号码不符合电信网编号计划（手机号以 13-19 开头，固话本地号码不以 0 或 1 开头），多为数字识别有误，请对照扫描件核对",
        "the number breaks China's numbering plan (mobile numbers begin 13-19, a local number never 0 or 1): "
        "most likely a digit misread; check it against the scan",
        "error",
    ),
    "phone_decoded": FlagInfo(
        "电话号码读不通（不符合编号计划），按识别模型常见的数字混淆只得出一个合规号码，已填入，须人工核对（识别原文已保留）",
        "the phone number as read breaks the numbering plan; the recognizer's digit confusions give exactly one "
        "number of the plan: filled in, to be checked (the reading in raw)",
        "warn",
    ),
    "phone_digit_rival": FlagInfo(
        "照片上这个电话号码有一位数字模糊：识别模型认为把它换成常被误认的另一数字（如 6 读成 0）得到的另一个合规号码几乎同样可能，"
        "须对照原图核对",
        "a digit of this photographed phone number is blurred: the recognizer finds another number of the plan, one "
        "commonly confused digit away (6 read as 0), almost as likely; check it against the scan",
        "warn",
    ),
    "area_code_added": FlagInfo("已补烟台区号 0535", "Yantai area code 0535 added", "warn"),
    "implausible_count": FlagInfo("人数不合理", "implausible head count", "error"),
    "lexicon_corrected": FlagInfo("按烟台地名库更正了地名", "place name corrected against the Yantai place-name lexicon", "warn"),
    "lexicon_confirmed_below": FlagInfo(
        "更正的地名由其下准确识别的地名确认（区县内的乡镇、乡镇名录中的村）",
        "the corrected place name is confirmed by places read exactly below it (a town of the district, a village of the town's list)",
        "info",
    ),
    "lexicon_ambiguous": FlagInfo(
        "疑似地名 OCR 错误，但有多个候选，未更正", "looks like a misread place name, several candidates: not corrected", "warn"
    ),
    "lexicon_context_mismatch": FlagInfo(
        "疑似地名 OCR 错误，但与上级地名不符，未更正",
        "looks like a misread place name, but does not fit the district: not corrected",
        "warn",
    ),
    "lexicon_under_corrected_county": FlagInfo(
        "乡镇名按地名库更正，但其所属区县名本身也是更正所得（如 蓬美市大事店镇→蓬莱市大辛店镇），需核对",
        "town corrected against the lexicon under a county name that was itself corrected (蓬美市大事店镇 -> 蓬莱市大辛店镇): check",
        "warn",
    ),
    "village_kuang_put_back": FlagInfo(
        "村名不在该镇村名录中，「村」前的 奋/奇 已改为 夼（官方村名录中 夼村 常见，无 奋村、奇村；识别模型常把 夼 认作 奋），需核对",
        "a village off its town's list: 奋/奇 before 村 read as 夼 (the official list writes 夼村 often, never 奋村 or 奇村; "
        "the recognizer reads 夼 as 奋): check",
        "warn",
    ),
    "village_corrected": FlagInfo(
        "村名已按该镇村名录更正（如 丁家乔村→丁家夼村），需核对",
        "village corrected to the one village of its town the reading is near (丁家乔村→丁家夼村): check",
        "warn",
    ),
    "village_not_in_list": FlagInfo(
        "村名不在该镇村名录（国家统计局 2023）中，也无相近村名：可能是自然村或更名的村，也可能误识（如 宋家疃村 漏识为 宋家村），需核对",
        "the village is not in its town's list (NBS 2023) nor near one of it: a natural or renamed village, or a misreading (宋家疃村 read 宋家村, a character dropped): check",
        "warn",
    ),
    "house_number_unit_fixed": FlagInfo(
        "门牌号数字后识别为“哥”，已按识别常见错误改为“号”，原识别结果保留，需核对",
        "哥 read after a house number: the recognizer's misreading of 号, changed, the reading kept: check",
        "warn",
    ),
    "town_suffix_corrected": FlagInfo(
        "乡镇或街道名称的“镇/乡/街道”一字识别有误（字形相近或识别存疑），且其后的村名未能确认：已按区划代码表改为该区县唯一相符的乡镇（如 七甲银→七甲镇），原识别结果保留，需核对",
        "a town's or street's suffix misread (a look-alike or a doubted character) and no village after it to confirm it: changed to the county's one listed town it can be (七甲银→七甲镇), the reading kept: check",
        "warn",
    ),
    "county_suffix_corrected": FlagInfo(
        "区县名称的“市/区/县”一字识别有误（如 龙口审），其后的乡镇属于该区县：已按区划代码表改为该区县（龙口审→龙口市），原识别结果保留，需核对",
        "a county's suffix misread (龙口审), the town written after it lying in that county: changed to the listed county (龙口审→龙口市), the reading kept: check",
        "warn",
    ),
    "province_suffix_fixed": FlagInfo(
        "“山东”与“烟台”之间的一字识别有误（如 山东书烟台市）：已按区划名称改为“山东省”，原识别结果保留，需核对",
        "the character between 山东 and 烟台 misread (山东书烟台市): changed to the province's name 山东省, the reading kept: check",
        "warn",
    ),
    "building_unit_fixed": FlagInfo(
        "门牌号“号”与“单元”之间识别为“接/后”，已按识别常见错误改为“楼”，原识别结果保留，需核对",
        "接 or 后 read between a house number's 号 and its 单元: the recognizer's misreading of 楼, changed, the reading kept: check",
        "warn",
    ),
    "county_not_listed": FlagInfo(
        "地址中的区县名称不在国家行政区划代码表（GB/T 2260）中：可能识别有误（如 蓬莱市 误识为 莲基市），需核对",
        "the address's county-level name is in no official division list (GB/T 2260): likely misread (蓬莱市 read 莲基市): check",
        "warn",
    ),
    "town_lookalikes_corrected": FlagInfo(
        "乡镇或街道名称不在区划代码表中，其中两字与本区县代码表中唯一相近名称的对应字字形相近：已改为该名称（如 风域街道→凤城街道），原识别结果保留，需核对",
        "a town or street name off the official division list, two of its characters look-alikes of the one listed name of the county that near: changed to it (风域街道→凤城街道), the reading kept: check",
        "warn",
    ),
    "division_doubt_corrected": FlagInfo(
        "区县或乡镇名称不在区划代码表中，且识别时对其中一字存疑：已改为代码表中仅差该一字的名称（如 基州市→莱州市），原识别结果保留，需核对",
        "a county or town name off the official division list, one character of it doubted by the reader: changed to the one listed name that character away (基州市→莱州市), the reading kept: check",
        "warn",
    ),
    "village_off_list_read_surely": FlagInfo(
        "村名不在该镇村名录中，但每个字都识别得很确定，且与名录中任何村名都相差一字以上、不含常被误识的字形：按识别结果采信",
        "the village is not in its town's list, but every character of it was read surely, it is more than one character from every listed village and holds no glyph the recognizer writes for another: taken as read",
        "info",
    ),
    "road_place_name_corrected": FlagInfo(
        "道路专名与本县一个乡镇、街道或区县名称仅差一个形近字（如 东兼街→东莱街，东莱街道在龙口市）：已按该名称更正，原识别结果保留，需核对",
        "a road's proper name one look-alike character from the name of one listed town, street or county of its county (东兼街→东莱街): put right, the reading kept: check",
        "warn",
    ),
    "road_place_name_doubtful": FlagInfo(
        "道路专名与本县几个乡镇、街道或区县名称仅差一个形近字：按识别结果保留，需核对",
        "a road's proper name one look-alike character from the names of several listed places of its county: kept as read: check",
        "warn",
    ),
    "village_shape_corrected": FlagInfo(
        "村名不在该镇村名录中，已改为名录中只差一个字形相近或识别存疑的字的唯一村名（如 丰城沟村→半城沟村），原识别结果保留，需核对",
        "the village is not in its town's list: changed to the list's only village one character away, a look-alike or one the reader doubted (丰城沟村→半城沟村), the reading kept: check",
        "warn",
    ),
    "village_char_decoded": FlagInfo(
        "村名中有名录中任何村名都不用的字（如 注、电、婚），已按识别器在该位置最可能的名录用字改写（如 注→洼），原识别结果保留，需核对",
        "the village was read with a character no village of the official list is written with (注, 电, 婚): replaced by the list character the recognizer found likeliest there (注 → 洼), the reading kept: check",
        "warn",
    ),
    "village_generic_fixed": FlagInfo(
        "地址中村名的“村”被识别为“材”，已改回“村”，需核对",
        "a village's generic 村 read as 材 put back (村 for 材 at the address's end or before its house number): check",
        "warn",
    ),
    "place_glyph_fixed": FlagInfo("地名中的误识字已更正（如 瞳→疃）", "a glyph never used in place names fixed (瞳→疃)", "warn"),
    "glyph_outside_ocr_dictionary": FlagInfo(
        "可能是识别字典中没有的字（如 夼 被识别为 乔），需核对",
        "may be a character the OCR dictionary lacks (夼 read as 乔): check",
        "warn",
    ),
    "sea_area_not_in_list": FlagInfo(
        "海域名称不在本省撒海海域名录中，可能误识，需核对",
        "the sea area is not on the province's list of scattering areas: probably misread, check",
        "warn",
    ),
    "reviewer_confusion": FlagInfo(
        "审核员多次把地名中的此字更正为另一字（如 果→罘），且改后是名录中的地名：读法存疑，需核对（未自动改写）",
        "reviewers have corrected this character to another in place names several times (read 果, written 罘), and the other would make a listed name: doubted, never rewritten",
        "warn",
    ),
    "local_lexicon": FlagInfo(
        "地名取自本地词库（审核员录入、管理员采纳），不在官方名录中",
        "a place name from the local lexicon (typed by reviewers, accepted by an administrator), not in the official lists",
        "info",
    ),
    "place_glyph_doubtful": FlagInfo(
        "地址中有易误识的字（如 莱 被识别为 菜，掖县路 被识别为 技县路），需核对",
        "the address holds a glyph often misread (莱 read as 菜, 掖县路 as 技县路): check",
        "warn",
    ),
    "code_matched_by_shape": FlagInfo(
        "按字形匹配到代码表中唯一相近的写法（如 要→妻、滋水→溺水）",
        "matched by glyph shape to the one code-table wording it resembles (要 → 妻, 滋水 → 溺水)",
        "warn",
    ),
    "wording_chosen_by_shape": FlagInfo(
        "备注中的原文措辞有一字识别有误，同一代码有几种写法与之只差一字，已按字形取最相近的写法（如 家属希回→家属带回），原识别结果保留，需核对",
        "the wording kept in the remarks was misread in one character and several wordings of its code are one character away: the one whose character it looks like was taken (家属希回 → 家属带回), the reading kept: check",
        "warn",
    ),
    "wording_misread_in_remarks": FlagInfo(
        "备注中的原文措辞与代码表任何写法都不同（代码按近似写法匹配，如 家義帝回），应是识别有误，原识别结果保留，需核对",
        "the wording kept in the remarks is none of the code table's wordings (its code matched approximately, 家義帝回): a misreading, the reading kept: check",
        "warn",
    ),
    "given_name_char_rare": FlagInfo(
        "名字中有真实人名里极少见的字（不到十万分之一），可能误识（如 曲玲蓄←曲玲蕾）",
        "the given name holds a character found in fewer than 1 in 100 000 characters of real given names: probably misread (曲玲蓄 for 曲玲蕾)",
        "warn",
    ),
    "surname_unusual": FlagInfo(
        "首字不是常见姓氏，可能误识（如 参爱五←李爱玉）",
        "the first character is no common surname: probably misread (参爱五 for 李爱玉)",
        "warn",
    ),
    "sea_area_beyond_list": FlagInfo(
        "海域名称是名录中的一项再加其他文字（如 养马岛东侧海域），按原文保留，需核对",
        "the sea area names a listed one plus words of its own (养马岛东侧海域): kept as read, check",
        "warn",
    ),
    "sea_area_toward_listed": FlagInfo(
        "海域名称是名录中的一项加方位词（如 养马岛以东海域），按原文保留",
        "the sea area is a listed one plus a word of locality (养马岛以东海域): kept as read",
        "info",
    ),
    "sea_area_toward_listed_by_shape": FlagInfo(
        "名录中的海域有形近字误识，已按字形改正，方位词保留（需核对）",
        "a listed sea area misread in look-alike characters was put right by shape, its word of locality kept: check",
        "warn",
    ),
    "sea_area_suffix_by_shape": FlagInfo(
        "海域名称末尾的“海域”识别为形近字，已改回“海域”，其余文字按原文保留（需核对）",
        "the generic 海域 ending the sea area was read as look-alike characters and put back, every other character kept as read: check",
        "warn",
    ),
    "sea_area_listed_after_suffix": FlagInfo(
        "海域名称末尾的“海域”和地名都识别为形近字：改回“海域”后按字形匹配到本省撒海海域名录中的唯一一项（如 记姆島亭城→屺坶岛海域），原识别结果保留，需核对",
        "the sea area's 海域 and its place were both read as look-alike characters: with 海域 put back it was matched by glyph shape to the one list entry it resembles (记姆島亭城 → 屺坶岛海域), the reading kept: check",
        "warn",
    ),
    "sea_area_matched_by_shape": FlagInfo(
        "海域名称按字形匹配到本省撒海海域名录中的唯一一项（如 腔桐岛海域→崆峒岛海域）",
        "the sea area was matched by glyph shape to the one list entry it resembles (腔桐岛海域 → 崆峒岛海域)",
        "warn",
    ),
    "name_glyph_doubtful": FlagInfo(
        "姓名中有易误识的字（逄→逢、凤→风），需核对",
        "the name holds a glyph often misread (逄 read as 逢, 凤 as 风): check",
        "warn",
    ),
    "name_reread_by_frequency": FlagInfo(
        "识别把握不足；按真实姓名用字的频率权衡识别器认为可能的写法，改取另一写法（如 徐五华→徐玉华、干丹丹→于丹丹），原识别结果保留",
        "the reading was unsure; weighing the texts the recognizer may have seen by how often real names use their characters chose another (徐五华 → 徐玉华, 干丹丹 → 于丹丹); the reading is kept as the raw text",
        "warn",
    ),
    "name_weighed_by_sex": FlagInfo(
        "识别把握不足；按本行所记此人的性别（逝者的性别栏或身份证号，经办人、登记人与逝者的关系：子、女、配偶）权衡识别器认为可能的写法，所取写法与不分性别权衡的不同，仍需核对，原识别结果保留",
        "the reading was unsure; weighing the texts the recognizer may have seen by the sex the row gives this person (the deceased's sex column or ID number; an agent's or registrant's relation to the deceased: son, daughter, spouse) chose another text than weighing by all given names: still to be checked; the reading is kept as the raw text",
        "warn",
    ),
    "name_doubted_glyph_replaced": FlagInfo(
        "姓名中有名字用字表几乎不用的字（多为误识），改取识别器在此格列出的、不含此类字的写法（如 曲玲蓄→曲玲蕾），仍需核对，原识别结果保留",
        "the name held a character the given-name table almost never has (mostly a misreading); the text the recognizer listed for the cell without such a character was taken (曲玲蓄 → 曲玲蕾): still to be checked; the reading is kept as the raw text",
        "warn",
    ),
    "name_confirmed_by_other_register": FlagInfo(
        "识别把握不足的姓名，与另一登记簿（火化/海葬）中同一身份证号那条记录里确定识别的姓名一字不差，据此确认",
        "a name read unsure that the other register's entry for the same ID number reads surely, to the letter: confirmed by it",
        "info",
    ),
    "name_from_other_register": FlagInfo(
        "另一登记簿（火化/海葬）中同一身份证号的记录把逝者姓名读成相差一字的写法，且识别更有把握；已改取那一写法，仍需核对，原识别结果保留",
        "the other register's entry for the same ID number reads the deceased's name one character apart, more surely: its text was taken, still to be checked; the reading is kept as the raw text",
        "warn",
    ),
    "surname_from_list": FlagInfo(
        "首字不是常见姓氏（多半是误识，少见的姓氏也可能不在表中）；改取识别器认为可能、首字为常见姓氏的写法，仍需核对，原识别结果保留",
        "the first character read is no listed surname (probably a misread; a rare surname may be missing from the list); of the texts the recognizer may have seen, the likeliest beginning with a listed surname was taken, still to be checked; the reading is kept as the raw text",
        "warn",
    ),
    "division_not_found": FlagInfo("未能确定户籍地行政区划", "household division could not be determined", "error"),
    "division_conflict": FlagInfo("地址中的区县与乡镇街道不一致", "district and town/street in the address disagree", "warn"),
    "division_successor_used": FlagInfo(
        "旧区划已撤销，使用继承区划代码", "division abolished by that year; successor code used", "warn"
    ),
    "division_outside_validity": FlagInfo("该年份区划代码尚未启用或已撤销", "division code not valid in that year", "warn"),
    "division_from_id": FlagInfo(
        "户籍地由身份证号前 6 位推得（可能不是现户籍地）",
        "division taken from the ID number's first 6 digits (may not be the current household)",
        "warn",
    ),
    "derived_from_address": FlagInfo("由户籍地址推得", "derived from the household address", "info"),
    "wording_kept_in_remarks": FlagInfo("原文措辞已写入备注", "printed wording kept in remarks", "info"),
    "commercial_cemetery": FlagInfo("台账写明经营性公墓", "the ledger names a commercial cemetery", "info"),
    # --- page structure (pipeline.page.structure)
    "page_structure_doubted": FlagInfo(
        "本页结构存疑（如无表格线、按文字对齐推断行列，或各列无法可靠对应字段），本页每个值都需核对",
        "the page's structure is in doubt (no ruling lines: rows and columns inferred from the text's alignment, or columns not assigned with confidence): every value of the page needs checking",
        "warn",
    ),
    "column_doubted": FlagInfo(
        "本列对应哪个字段存疑（表头与内容不符、表头含两个字段而未能拆分，或与其他字段难以区分；或本页表头与内容都不能确定，由同一册其他页推定）",
        "which field this column holds is in doubt (header and content disagree, a header naming two fields that could not be split, or a near tie with another field; or neither its header nor its cells tell it and the volume's other pages do)",
        "warn",
    ),
    "cell_read_by_shape": FlagInfo(
        "本格读数不是该字段的规范写法（可能是形近字读错，如“海域”读成“海城”），需对照扫描件核对本格",
        "this cell does not read exactly as one of the field's wordings (perhaps look-alike glyphs misread, 海域 read as 海城): check this cell against the scan",
        "warn",
    ),
    "column_values_fail": FlagInfo(
        "本列多数值未通过该字段的校验：列可能错位或不是该字段",
        "most values of this column fail the field's validation: the column may be misplaced or another field",
        "warn",
    ),
    "serial_misread": FlagInfo(
        "本行序号与上下行不连续，而上下两行彼此连续：可能是本行序号读错，请核对本行",
        "this row's serial breaks the order of its neighbours, which follow one another: its number misread? check this row",
        "warn",
    ),
    "row_order_broken": FlagInfo(
        "序号与上下行不连续：可能漏行、两行并为一行或一行拆成两行",
        "the serial number breaks the page's order: a row lost, two entries read as one, or a row split",
        "warn",
    ),
    "row_struck_through": FlagInfo(
        "本行文字上有一条横贯的线：可能是划掉作废的记录（正确的记录在下一行）",
        "a line is drawn across the row's text: an entry struck through? (the right one follows)",
        "warn",
    ),
    "row_line_bowed": FlagInfo(
        "本行旁边的行线在表格上是弯的（拍照时纸页没有放平）：行线是沿弯曲找出的，本行格子可能混入相邻行的字或缺了本行的一部分，请对照扫描件核对",
        "a row line beside this row bows across the table (a photographed page not lying flat): its cells may hold a slice of the "
        "next row's writing or miss a slice of their own; check them against the scan",
        "warn",
    ),
    "cell_under_seal": FlagInfo(
        "本格上盖有印章：识别结果可能混入印章的文字、圆圈或五角星，请对照扫描件核对",
        "a seal is stamped over this cell: the reading may hold the seal's text, ring or star; check it against the scan",
        "warn",
    ),
    "cell_line_left_out": FlagInfo(
        "本格有一行字迹未被识别（换行书写的较短末行）：识别结果可能缺少结尾（如门牌号），请对照扫描件核对",
        "a line of this cell's writing was not read (a wrapped entry's short last line): the reading may lack its end"
        " (a house number); check it against the scan",
        "warn",
    ),
    "no_column": FlagInfo(
        "本页没有该字段的列（或该列表头未识别）：值缺失，不是空白",
        "no column of this page holds this field (or its header was not recognized): the value is missing, not blank",
        "error",
    ),
    # --- record validation
    "missing_mandatory": FlagInfo("必填项缺失或无效", "mandatory value missing or invalid", "error"),
    "sex_decoded_agrees_with_id": FlagInfo(
        "性别格识别有误，按识别模型在码表中最可能的写法取值，与身份证号的性别位（18 位号码第 17 位，15 位号码第 15 位）一致",
        "the sex cell was misread and decoded to the table wording the recognizer finds likeliest; it agrees with the ID's sex digit (digit 17 of 18, 15 of 15)",
        "info",
    ),
    "sex_decoded_against_id": FlagInfo(
        "性别格识别有误，解码结果与身份证号的性别位（18 位号码第 17 位，15 位号码第 15 位）不符：已按身份证号取值，需核对",
        "the sex cell was misread and decoded to the other sex than the ID's sex digit (digit 17 of 18, 15 of 15) states: the ID's sex was taken; check",
        "warn",
    ),
    "sex_unstated_id_states": FlagInfo(
        "性别读为“未知/未说明”，而身份证号的性别位（18 位号码第 17 位，15 位号码第 15 位）表明了性别：已按身份证号取值，需核对",
        "sex read as unknown or not stated while the ID's sex digit (digit 17 of 18, 15 of 15) states it: the ID's sex was taken; check",
        "warn",
    ),
    "sex_id_mismatch": FlagInfo(
        "性别与身份证号的性别位（18 位号码第 17 位，15 位号码第 15 位）不符",
        "sex does not match the ID number's sex digit (digit 17 of 18, 15 of 15)",
        "error",
    ),
    "birth_date_id_mismatch": FlagInfo("出生日期与身份证号不符", "birth date does not match the ID number", "error"),
    "age_mismatch": FlagInfo("年龄与出生、死亡日期不符", "age does not match birth and death dates", "warn"),
    "birth_after_death": FlagInfo("出生日期晚于死亡日期", "birth date after death date", "error"),
    "death_after_cremation": FlagInfo("死亡日期晚于火化日期", "death date after cremation date", "error"),
    "cremation_gap_over_30_days": FlagInfo("死亡后超过 30 天才火化", "cremation more than 30 days after death", "warn"),
    "scattering_before_cremation": FlagInfo("海葬日期早于火化日期", "scattering date before cremation date", "error"),
    "date_outside_ledger_year": FlagInfo("日期不在台账年份附近", "date not within the ledger's year", "warn"),
    "cert_year_mismatch": FlagInfo("火化证号年份与台账年份不符", "certificate number year differs from the ledger year", "warn"),
    "year_digit_lost": FlagInfo(
        "年份只识别出三位（如 201年），按登记簿年份补全，需核对",
        "the year read with three digits, the ledger's year less one digit (201年 in a 2014 register): completed from the ledger, check",
        "warn",
    ),
    "year_put_back_by_ledger": FlagInfo(
        "年份不在台账年份附近，与其中一年只差一个数字（如 6 读作 0），已改为该年，须人工核对（识别原文已保留）",
        "the year read lies outside the ledger's years and one digit off one of them (a 6 read 0): put back to "
        "that year, to be checked (the reading in raw)",
        "warn",
    ),
    "voyage_word_put_back": FlagInfo(
        "航次号按“第N航次”格式读出，但“航”字读成别的字，已改回，须人工核对（识别原文已保留）",
        "the voyage number reads in the form 第N航次 with another glyph for 航: put back, to be checked (the reading in raw)",
        "warn",
    ),
    "page_order_doubted": FlagInfo(
        "与本页上下行的先后顺序不符（日期倒退或编号不递增），可能识别有误，请核对",
        "out of its page's order (a date going back, a number not rising) while the rows around it keep it: check it",
        "warn",
    ),
    "page_order_proposed": FlagInfo(
        "与本页上下行的先后顺序不符，改一个易混数字即合顺序，已按此改写，须人工核对（识别原文已保留）",
        "out of its page's order; one look-alike digit read otherwise puts it in order: proposed, to be checked (the reading in raw)",
        "warn",
    ),
    "onboard_over_limit": FlagInfo("随船人数超过 4 人", "more than 4 people on board", "warn"),
}


def describe(code: str) -> str:
    """'中文 / English' for a flag code (the code itself if unknown)."""
    info = FLAGS.get(code)
    return code if info is None else f"{info.zh} / {info.en}"


def severity(code: str) -> str:
    info = FLAGS.get(code)
    return "warn" if info is None else info.severity


CONFIDENCE_FACTOR = {"info": 1.0, "warn": 0.7, "error": 0.3}
