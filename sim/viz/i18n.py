"""Labels of the teaching app in Chinese and English (``edusim viz``; a language switch).

Every text the app shows comes from :data:`LABELS` through :func:`t`, so switching the
language changes every title, label and slider name at once. Keys are stable names; the
values are ``{"en": ..., "zh": ...}`` and may hold ``str.format`` fields (``{year}``).

The map and the plots are drawn without any text in them (their titles, axis names and the
legend are page text), so a machine without a CJK font still draws them correctly.
"""

from __future__ import annotations

LANGUAGES: tuple[str, ...] = ("en", "zh")
#: What the language switch shows for each language (each in its own language).
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "zh": "中文"}
DEFAULT_LANGUAGE = "en"

LABELS: dict[str, dict[str, str]] = {
    # page
    "app_title": {
        "en": "edusim — how a hollow school happens",
        "zh": "edusim — 空心校是怎样形成的",
    },
    "language": {"en": "Language", "zh": "语言"},
    "scenario": {"en": "Scenario: {name}", "zh": "情景：{name}"},
    "year": {"en": "School year", "zh": "学年"},
    "year_progress": {"en": "year {k} of {n}", "zh": "第 {k} / {n} 年"},
    "year_start": {"en": "start: before the first simulated year", "zh": "起点：模拟第一年之前"},
    "year_beyond": {"en": "year {k} (the scenario runs {n})", "zh": "第 {k} 年（情景设定 {n} 年）"},
    "how_to": {
        "en": "Move a lever: the county is rebuilt with it. Then press ▶ (play) or Step; "
        "Reset starts again.",
        "zh": "拖动左侧的政策杠杆，县域会按新设定重建；"
        "然后按 ▶（播放）或 Step（单步），Reset 重新开始。",
    },
    "what_to_look_at": {"en": "What to look at", "zh": "看点"},
    # levers
    "levers": {"en": "Policy levers", "zh": "政策杠杆"},
    "levers_note": {
        "en": "Each change rebuilds the county from the start.",
        "zh": "每次调整都会从头重建县域。",
    },
    "lever_closure": {
        "en": "Close village schools under {value} pupils",
        "zh": "撤并学生少于 {value} 人的村小",
    },
    "lever_closure_off": {
        "en": "Closure rule: off (slide right to close small village schools)",
        "zh": "撤并规则：关闭（向右拖动以撤并小规模村小）",
    },
    "lever_beds": {
        "en": "Boarding beds added per township school: {value}",
        "zh": "每所乡镇学校新增寄宿床位：{value}",
    },
    "lever_min_grade": {
        "en": "Youngest grade allowed to board: grade {value}",
        "zh": "最低寄宿年级：{value} 年级",
    },
    "lever_buses": {"en": "School buses", "zh": "校车"},
    "lever_buses_note": {
        "en": "Buses carry pupils whose village school closed.",
        "zh": "校车接送村小被撤并的学生。",
    },
    "lever_subsidy": {
        "en": "Rural teacher subsidy: {value} yuan/month",
        "zh": "乡村教师补贴：每月 {value} 元",
    },
    "lever_unavailable": {
        "en": "Not available yet: this version has no `{path}` in its scenarios.",
        "zh": "暂不可用：本版本的情景尚无 `{path}` 参数。",
    },
    "lever_town_pull": {"en": "Pull of the county town: {value}", "zh": "县城吸引力：{value}"},
    "lever_town_pull_note": {
        "en": "Utility of moving to town; it grows {growth} a year.",
        "zh": "迁往县城的效用；每年增加 {growth}。",
    },
    "lever_births": {"en": "Births change per year: {value}", "zh": "出生人数年变化：{value}"},
    "lever_seed": {"en": "Random seed (applies on Reset)", "zh": "随机种子（重置后生效）"},
    "reset_levers": {"en": "Back to the scenario's values", "zh": "恢复情景设定值"},
    # map
    "map_title": {"en": "Schools of the county, {year}", "zh": "{year} 年县域学校分布"},
    "map_caption": {
        "en": "Marker area: pupils. Roads in grey; beige discs: settlements (area: residents).",
        "zh": "标记面积表示学生数。灰线为道路；米色圆为居民点（面积表示人口）。",
    },
    "legend_open": {"en": "open", "zh": "正常办学"},
    "legend_hollow": {"en": "open, hollow", "zh": "空心校"},
    "legend_closed": {"en": "closed", "zh": "已撤并"},
    "legend_bus": {"en": "bus route", "zh": "校车线路"},
    "level_teaching_point": {"en": "teaching point", "zh": "教学点"},
    "level_primary": {"en": "primary", "zh": "小学"},
    "level_junior": {"en": "junior", "zh": "初中"},
    "level_nine_year": {"en": "nine-year", "zh": "九年一贯制"},
    # numbers
    "stat_open": {"en": "schools open", "zh": "在办学校"},
    "stat_hollow": {"en": "hollow", "zh": "空心校"},
    "stat_closed": {"en": "closed", "zh": "已撤并"},
    "stat_pupils": {"en": "pupils", "zh": "在校生"},
    "stat_town": {"en": "in county-town schools", "zh": "在县城就读"},
    "stat_boarders": {"en": "boarders", "zh": "寄宿生"},
    "stat_bus": {"en": "bus riders", "zh": "乘校车"},
    # plots
    "plot_hollow": {"en": "Hollow share of open schools", "zh": "空心校占在办学校比例"},
    "plot_hollow_note": {
        "en": "Open schools under a third full, or with very few pupils.",
        "zh": "在办学校中利用率不足三分之一或学生极少的学校占比。",
    },
    "plot_hard": {"en": "Pupils with hard access to school", "zh": "上学难的学生比例"},
    "plot_hard_note": {
        "en": "A long daily commute, boarding in grades 1–3, or dropping out.",
        "zh": "日常通学时间过长、1–3 年级寄宿或辍学的学生占比。",
    },
    "plot_year": {"en": "year", "zh": "年份"},
    "command_line": {"en": "The same run on the command line", "zh": "命令行中的同一次模拟"},
    "command_line_note": {
        "en": "Add --replicates 20 for means and intervals over 20 runs.",
        "zh": "加上 --replicates 20 可得到 20 次重复模拟的均值与区间。",
    },
    "command_line_removed": {
        "en": "and remove [{block}] from the scenario",
        "zh": "并从情景中删除 [{block}]",
    },
    "no_description": {"en": "(This scenario has no description.)", "zh": "（该情景没有说明。）"},
    "description_in_english": {"en": "", "zh": "（情景说明仅有英文）"},
}

#: "What to look at" of bundled scenarios in Chinese (the scenario files carry English only).
SCENARIO_NOTES_ZH: dict[str, str] = {
    "hollow_school_demo": (
        "教学演示：十年之内若干村小逐渐变成空心校，而县城班级不断超员。"
        "这是一个 3 万人口的小县，出生人数平稳；县城学校教室略显不足，但对家庭的吸引力逐年增强"
        "（吸引力上升、质量差距大、对农村孩子敞开大门）。"
        "看点：空心校比例与村小的变化——学生减少、教师流失、质量下降、更多学生离开，形成恶性循环；"
        "县城就读比例与大班额、超大班额比例随县城班级超员而上升；随迁子女增加，留守儿童减少。"
    ),
}


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **fields) -> str:
    """The label ``key`` in language ``lang`` ("en" or "zh"), formatted with ``fields``.

    An unknown language falls back to English; an unknown key raises ``KeyError``.

    Parameters
    ----------
    key : str
        A key of :data:`LABELS`.
    lang : str, default DEFAULT_LANGUAGE
        ``"en"`` or ``"zh"``.
    **fields
        Values for the label's ``{placeholders}``.

    Returns
    -------
    str
        The label's text.

    Raises
    ------
    KeyError
        When ``key`` is not a label.
    """
    entry = LABELS[key]
    text = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return text.format(**fields) if fields else text


def scenario_notes(name: str, description: str, lang: str) -> str:
    """The scenario's "what to look at" text in ``lang`` (English: its own description).

    Parameters
    ----------
    name : str
        The scenario's name (bundled scenarios have a Chinese text).
    description : str
        The scenario's description (English).
    lang : str
        ``"en"`` or ``"zh"``.

    Returns
    -------
    str
        The Chinese note for a bundled scenario in ``"zh"``; else the description on one line
        (in ``"zh"`` after a note that it is in English), or a "no description" label.
    """
    if lang == "zh" and name in SCENARIO_NOTES_ZH:
        return SCENARIO_NOTES_ZH[name]
    text = " ".join(description.split()) if description else t("no_description", lang)
    note = t("description_in_english", lang) if description else ""
    return f"{note}{text}" if note else text
