"""The words a planner reads, in English and Chinese, defined once.

Uses, covers, recruitment roles, rule families, ecosystem services, use kinds and the
report's common words each have an entry here with an English and a Chinese label; KPIs
and statuses keep theirs in :mod:`planner.core.kpis` and :mod:`planner.core.status`, and
:func:`term` reads those too, so one call serves every kind of word. Villages and
projects are named by the instance (``name``, ``name_zh``): :func:`name_of`.

The Chinese terms follow the team's glossary (``spec/glossary-zh.md``) where it has the
concept: GB/T 21010-2017 class names for covers (乔木林地, 灌木林地, 果园, 采矿用地,
农村宅基地, 裸土地), the planning terms for rules (生态保护红线, 永久基本农田, 生态空间,
植被覆盖度, 森林覆盖率, 两山银行, GEP贷款). The uses, roles and the paper's own words
(互动体验林, 村庄游园, 田园综合体) are plain translations of the paper's English terms,
marked as such in the glossary's spirit: check them against local usage before printing.
Ecosystem services follow Xie et al. (2015)'s Chinese table (食物生产, 原料生产,
水资源供给, 气体调节, 气候调节, 净化环境, 水文调节, 土壤保持, 维持养分循环, 生物多样性,
美学景观).
"""

from __future__ import annotations

from typing import Any, Literal

from planner.core import kpis, status

Lang = Literal["en", "zh"]
LANGS: tuple[str, ...] = ("en", "zh")

#: kind -> id -> (English, Chinese)
TERMS: dict[str, dict[str, tuple[str, str]]] = {
    "use": {
        "ecological_forest": ("Ecological forest", "生态林"),
        "ornamental_forest": ("Ornamental forest", "景观林"),
        "interactive_forest": ("Interactive forest", "互动体验林"),
        "fruit_expansion": ("Fruit forest expansion", "果林扩种"),
        "courtyard_economy": ("Courtyard economy", "庭院经济"),
        "scenic_fruit": ("Scenic fruit forest", "果林景区"),
        "garden_shrub": ("Village garden: shrub planting", "村庄游园（灌木种植）"),
        "garden_facility": ("Village garden: facilities", "村庄游园（设施）"),
        "street_green": ("Street green space", "街道绿地"),
        "unchanged": ("Unchanged", "不变"),
    },
    "cover": {
        "grassland": ("Grassland", "草地"),
        "scattered_farmland": ("Scattered farmland", "一般耕地（零散耕地）"),
        "permanent_farmland": ("Permanent basic farmland", "永久基本农田"),
        "reclaimed_mine": ("Reclaimed mine land", "采矿用地（复垦）"),
        "forest": ("Arbor forest", "乔木林地"),
        "fruit_forest": ("Orchard (fruit forest)", "果园"),
        "shrub": ("Shrub land", "灌木林地"),
        "bare_pisha": ("Bare pisha sandstone", "裸土地（砒砂岩）"),
        "settlement": ("Settlement", "农村宅基地"),
        "water": ("Water", "水域"),
    },
    "role": {
        "afforestation_workers": ("Afforestation workers", "造林工人"),
        "forest_park_staff": ("Forest park staff", "森林公园工作人员"),
        "forest_rangers": ("Forest rangers", "护林员"),
        "fruit_farmers": ("Fruit farmers", "果农"),
        "rural_complex_construction": ("Rural complex builders", "田园综合体建设工人"),
        "rural_complex_operators": ("Rural complex operators", "田园综合体运营人员"),
        "garden_construction_workers": ("Garden builders", "游园建设工人"),
        "garden_maintenance": ("Garden maintenance staff", "游园养护人员"),
        "bank_offline_service": ("Two Mountains Bank: offline service", "两山银行线下服务人员"),
        "bank_online_platform": ("Two Mountains Bank: online platform", "两山银行线上平台人员"),
        "bank_online_service": ("Two Mountains Bank: online service", "两山银行线上服务人员"),
    },
    "rule": {
        "budget": ("Budget", "预算"),
        "carbon_application": ("Carbon sequestration projects", "碳汇项目申报"),
        "coverage": ("Vegetation and forest coverage", "植被覆盖度与森林覆盖率"),
        "dividend_floor": ("Dividend floor", "分红下限"),
        "dividends": ("Dividends", "分红"),
        "eco_space": ("Ecological space does not decrease", "生态空间只增不减"),
        "farmland_protection": ("Permanent basic farmland", "永久基本农田保护"),
        "fruit": ("Fruit forests", "果林"),
        "gardens": ("Village gardens", "村庄游园"),
        "gep": ("Gross Ecosystem Product", "生态产品总值"),
        "interactive_forest": ("Interactive forest", "互动体验林"),
        "labour_pool": ("Labour pool", "劳动力供给"),
        "land_use": ("Land use", "土地利用"),
        "loans": ("GEP-value loans", "GEP贷款"),
        "projects": ("Eco-development projects", "生态开发项目"),
        "recruitment": ("Recruitment ranges", "招聘人数范围"),
        "recruitment_work": ("Work to be staffed", "用工需求"),
        "red_line": ("Ecological protection red line", "生态保护红线"),
        "street_green": ("Street green space", "街道绿地"),
        "village_permission": ("Uses each village allows", "村庄准入用途"),
    },
    "service": {
        "food_production": ("Food production", "食物生产"),
        "raw_materials": ("Raw materials", "原料生产"),
        "water_supply": ("Water supply", "水资源供给"),
        "gas_regulation": ("Gas regulation", "气体调节"),
        "climate_regulation": ("Climate regulation", "气候调节"),
        "environmental_purification": ("Environmental purification", "净化环境"),
        "hydrological_regulation": ("Hydrological regulation", "水文调节"),
        "soil_conservation": ("Soil conservation", "土壤保持"),
        "nutrient_cycling": ("Nutrient cycling", "维持养分循环"),
        "biodiversity": ("Biodiversity", "生物多样性"),
        "aesthetic_landscape": ("Aesthetic landscape", "美学景观"),
    },
    "word": {
        "village": ("Village", "村"),
        "township": ("Township", "乡镇"),
        "parcel": ("Parcel", "地块"),
        "period": ("Period", "规划期"),
        "use": ("Use", "用途"),
        "cover": ("Current cover", "现状地类"),
        "area_ha": ("Area (ha)", "面积（公顷）"),
        "new_ha": ("Changed (ha)", "变更面积（公顷）"),
        "cost_yuan": ("Establishment cost (Yuan)", "建设投资（元）"),
        "jobs": ("Jobs", "就业岗位"),
        "people": ("People", "人数"),
        "dividends_villagers": ("Dividends to villagers (Yuan/yr)", "村民分红（元/年）"),
        "dividends_collective": ("Income of the village collective (Yuan/yr)", "村集体收益（元/年）"),
        "gep": ("GEP (Yuan/yr)", "生态产品总值（元/年）"),
        "garden": ("Village garden", "村庄游园"),
        "project": ("Project", "项目"),
        "reasons": ("Why", "原因"),
        "status": ("Plan status", "方案状态"),
        "mip_gap": ("Optimality gap", "最优性间隙"),
        "verified": ("Checked independently", "独立核验"),
        "passed": ("passed", "通过"),
        "failed": ("FAILED", "未通过"),
        "plan_for": ("Plan for", "规划方案："),
        "what_to_do": ("What to do", "实施内容"),
        "total": ("Total", "合计"),
        # --- the terminal: summary of a solve, explanation, progress and compare (planner.cli) ---
        # units after a number ({n} is the number as written)
        "n_yuan_per_yr": ("{n} Yuan/yr", "{n}元/年"),
        "n_yuan": ("{n} Yuan", "{n}元"),
        "n_ha": ("{n} ha", "{n}公顷"),
        "n_garden": ("{n} garden", "{n}个"),
        "n_gardens": ("{n} gardens", "{n}个"),
        "n_project": ("{n} project", "{n}个"),
        "n_projects": ("{n} projects", "{n}个"),
        "n_person": ("{n} person", "{n}人"),
        "n_people": ("{n} people", "{n}人"),
        "n_points": ("{n} points", "{n}个百分点"),
        "n_plan": ("{n} plan", "{n}个方案"),
        "n_plans": ("{n} plans", "{n}个方案"),
        # the summary of a plan
        "status_of": ("{name}: status {status}", "{name}：方案状态 {status}"),
        "gap_is": ("Optimality gap: {gap}", "最优性间隙：{gap}"),
        "gap_unknown": ("an unknown gap", "间隙未知"),
        "gap_not_yet": ("not yet known", "尚未确定"),
        "gap_no_plan": ("n/a (no plan)", "无（没有方案）"),
        "less_than": ("less than {x}", "小于{x}"),
        "under_1_yuan": ("under 1 Yuan/yr", "不足1元/年"),
        "solver_run": (
            "Solver: termination {termination}; solve {solve} s, build {build} s",
            "求解器：终止条件 {termination}；求解 {solve} 秒，建模 {build} 秒",
        ),
        "key_figures": ("Key figures", "主要指标"),
        "of_budget": ("{used} of {budget}", "{used} / {budget}"),
        "loans_drawn": ("GEP-value loans drawn", "GEP贷款"),
        "checked_passed": ("Checked independently: passed ({n} rule checks)", "独立核验：通过（{n}项规则检查）"),
        "checked_failed": ("Checked independently: FAILED, {n} violation(s)", "独立核验：未通过，{n}处违反规则"),
        "infeasible_hint": (
            "No plan satisfies every rule. Relax a budget, target, range or policy (e.g. --set "
            "periods.2025.budget_yuan=...) and solve again.",
            "没有任何方案能同时满足全部规则。请放宽预算、目标、范围或政策（例如 --set "
            "periods.2025.budget_yuan=...）后重新求解。",
        ),
        "no_solution_hint": (
            "No plan was found before the solver stopped ({termination}). Give it more time "
            "(--time-limit) or accept a looser gap (--mip-gap); plan.json records the run, without a plan.",
            "求解器停止前未找到方案（{termination}）。请给予更多时间（--time-limit）或接受更大的间隙"
            "（--mip-gap）；plan.json 记录了这次运行，但没有方案。",
        ),
        "feasible_hint": (
            "Not proved optimal: the solver stopped ({termination}) with a plan within {gap} of the best possible.",
            "未证明最优：求解器停止（{termination}）时的方案与最优方案相差不超过 {gap}。",
        ),
        "failed_hint": (
            "The solver reported {status} ({termination}): no plan.",
            "求解器报告 {status}（{termination}）：没有方案。",
        ),
        # the progress line of a running solve
        "solving": ("solving ...", "正在求解……"),
        "solving_best": (
            "solving{goal}: best plan so far {objective}, gap {gap}",
            "正在求解{goal}：当前最佳方案 {objective}，间隙 {gap}",
        ),
        "solving_for": (" for {goal}", "（{goal}）"),
        "solving_tie_break": (
            "choosing the least-cost plan among the best ones ...",
            "正在从最优方案中选择成本最低的方案……",
        ),
        # the explanation
        "rules_that_bind": (
            "Rules that bind: the {k} with the highest price, in Yuan/yr of objective per unit loosened "
            "({n} bind in all: every rule and row is in explanation.json, explain_rule_summary.csv "
            "and the report's appendix)",
            "起约束作用的规则：影子价格最高的 {k} 条（每放宽一个单位，目标值每年增加的元数；共 {n} 条起约束作用，"
            "全部规则见 explanation.json、explain_rule_summary.csv 及报告附录）",
        ),
        "rule_price": ("{rule}: {price} per {unit}", "{rule}：每{unit} {price}"),
        "rules_without_price": (
            "{n} more rules bind without a price (definitions and yes/no decisions): see explain_rule_summary.csv",
            "另有 {n} 条规则起约束作用但无影子价格（模型定义与是否类决策）：见 explain_rule_summary.csv",
        ),
        "why_not": ("Why not: options not taken", "未采用的选项及原因"),
        "importance": ("What each choice is worth (re-solved without it)", "各项选择的价值（去掉后重新求解）"),
        "ranging": ("How far prices can move before the plan changes", "价格在多大范围内变动时方案不变"),
        # compare
        "plans_compared": (
            "Plans compared (differences: each plan minus {first})",
            "方案对比（差值：各方案减去 {first}）",
        ),
        "objective": ("objective", "目标值"),
        "difference": ("{b} − {a}", "{b} − {a}"),
        "figure": ("Figure", "指标"),
        "areas_compared": (
            "Area by village and use in the last period (ha): largest differences",
            "各村各用途面积（最后一期，公顷）：差异最大者",
        ),
        "what_changed": ("What changed", "变化"),
        "only_in": ("{what} only in {plan}: {items}", "仅{plan}{what}：{items}"),
        "in_not_in": ("{what} in {plan}, not in {other}: {items}", "{plan}有而{other}没有的{what}：{items}"),
        "item_in": ("{item} in {periods}", "{item}（{periods}）"),
        "gardens_built": ("gardens built", "建有游园"),
        "projects_built": ("projects built", "建有项目"),
        "nothing_changed": (
            "the same gardens, projects and recruitment in every plan",
            "各方案的游园、项目与招聘人数相同",
        ),
        "recruited_differently": ("people recruited differently", "招聘人数不同"),
        "n_in_plan": ("{n} in {plan}", "{plan} {n}"),
        "prices_compared": (
            "rule prices compared for {plans} with an explanation (compare_prices.csv with --out)",
            "已比较 {plans} 的规则影子价格（使用 --out 时写入 compare_prices.csv）",
        ),
    },
}

#: The kinds :func:`term` knows, with the registries of KPIs and statuses.
KINDS: tuple[str, ...] = (*TERMS, "kpi", "status")


def _check(lang: str) -> int:
    if lang not in LANGS:
        raise ValueError(f"language {lang!r}: use one of {', '.join(LANGS)}")
    return LANGS.index(lang)


def plain(key: str) -> str:
    """An id the registry does not know, as readable words: ``new_garden`` -> ``new garden``."""
    return str(key).replace("_", " ")


def term(kind: str, key: str, lang: str = "en") -> str:
    """The label of ``key`` (a use, cover, role, rule family, service, common word, KPI or
    status) in ``lang``; an id the registry does not know comes back as plain words."""
    i = _check(lang)
    if kind == "kpi":
        k = kpis.KPI.get(key)
        return plain(key) if k is None else (k.label, k.label_zh)[i]
    if kind == "status":
        return status.label(key, lang)
    if kind not in TERMS:
        raise KeyError(f"no such kind of word {kind!r}: one of {', '.join(KINDS)}")
    entry = TERMS[kind].get(key)
    return plain(key) if entry is None else entry[i]


def known(kind: str, key: str) -> bool:
    """Whether the registry has ``key`` under ``kind``."""
    if kind == "kpi":
        return key in kpis.KPI
    if kind == "status":
        return key in status.STATUSES
    return key in TERMS.get(kind, {})


def name_of(obj: Any, lang: str = "en") -> str:
    """A village's, project's or role's name for ``lang``: its ``name_zh`` in Chinese when it
    has one, else its ``name``, else (roles) the registry's label, else its id."""
    i = _check(lang)
    oid = str(getattr(obj, "id", obj))
    zh = getattr(obj, "name_zh", "") or ""
    if i == 1 and zh:
        return zh
    name = getattr(obj, "name", "") or ""
    if i == 1 and known("role", oid):
        return term("role", oid, lang)
    return name or (term("role", oid, lang) if known("role", oid) else oid)
