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
        # ---- planner serve (the web app, planner/app) ----
        "app_title": ("planner: the planning table", "规划工作台"),
        "app_instance": ("Instance", "规划案例"),
        "app_upload": ("Open your own (instance YAML with its parcel table)", "上传自己的案例（YAML 与地块表）"),
        "app_loading": ("Loading", "正在载入"),
        "app_opened": ("Opened", "已打开"),
        "app_scenario": ("Scenario", "情景"),
        "app_new_scenario": ("New scenario name", "新情景名称"),
        "app_copy_scenario": ("Copy to a new scenario", "复制为新情景"),
        "app_solve": ("Solve", "求解"),
        "app_cancel": ("Cancel (keep the best plan)", "停止（保留当前最优方案）"),
        "app_cancelling": ("stopping, keeping the best plan found", "正在停止，保留已找到的最优方案"),
        "app_cancelled_kept": ("stopped by you: the best plan found so far", "已手动停止：为目前找到的最优方案"),
        "app_not_solved": ("Not solved yet", "尚未求解"),
        "app_stage_starting": ("starting", "正在启动"),
        "app_stage_loading": ("loading", "正在载入"),
        "app_stage_solving": ("solving", "正在求解"),
        "app_stage_diagnosing": ("no plan: diagnosing", "无可行方案：正在诊断"),
        "app_termination": ("termination", "终止原因"),
        "app_map": ("Map", "地图"),
        "app_plan": ("Plan", "方案"),
        "app_compare": ("Compare", "比较"),
        "app_compare_which": ("Scenarios to compare (the first is the base)", "参与比较的情景（第一个为基准）"),
        "app_compare_need_two": ("Solve two scenarios with plans to compare them.", "请先求解两个有方案的情景再比较。"),
        "app_downloads": ("Downloads", "下载"),
        "app_downloads_note": (
            "Files of the scenario chosen on the left; the scenario YAML runs with planner solve --scenario.",
            "左侧所选情景的文件；情景 YAML 可用 planner solve --scenario 运行。",
        ),
        "app_scenario_yaml": ("scenario YAML", "情景 YAML"),
        "app_tables": ("tables (CSV, zip)", "数据表（CSV 压缩包）"),
        "app_decisions": ("Decisions forced or forbidden", "指定或禁止的决策"),
        "app_force": ("force", "指定"),
        "app_forbid": ("forbid", "禁止"),
        "app_undo": ("undo", "撤销"),
        "app_click_hint": (
            "Click a parcel on the map to force or forbid its village's garden or projects.",
            "在地图上点击地块，可指定或禁止该村的游园或项目。",
        ),
        "app_kpis": ("Key figures", "主要指标"),
        "app_figure": ("Figure", "指标"),
        "app_targets": ("Against the targets", "与目标对照"),
        "app_target": ("Target", "目标"),
        "app_plan_value": ("Plan", "方案值"),
        "app_met": ("Met", "是否达到"),
        "app_villages": ("Villages (last period)", "各村（末期）"),
        "app_no_plan": ("No plan satisfies every rule of this scenario.", "本情景下没有满足全部规则的方案。"),
        "app_diagnosis": ("Why (diagnosis):", "原因（诊断）："),
        "app_relax": ("Try the smallest relaxation as a new scenario", "以最小放宽作为新情景"),
        "app_relaxed": ("New scenario with the smallest relaxation", "已建立最小放宽的新情景"),
        "app_saved": ("Scenario saved", "情景已保存"),
        "app_difference": ("difference", "差值"),
        "app_changes": ("what changed", "变化"),
        "app_no_changes": ("No garden, project, recruitment or land use changed.", "游园、项目、招募和用地均无变化。"),
        "app_what": ("What", "内容"),
        "app_where": ("Where", "位置"),
        "app_range": ("range", "范围"),
        "app_no_geometry": (
            "This instance has no parcel geometry (its parcel table is not a GIS layer): no map.",
            "本案例的地块表没有几何图形（不是 GIS 图层），无法显示地图。",
        ),
        "app_less_change": ("less change than the base", "变化少于基准"),
        "app_more_change": ("more change than the base", "变化多于基准"),
        "app_group_budgets": ("Budgets", "预算"),
        "app_group_prices": ("Prices", "价格"),
        "app_group_policies": ("Policies", "政策"),
        "app_group_recruitment": ("Recruitment ranges", "招募人数范围"),
        "map_cover": ("current cover", "现状地类"),
        "map_red_line": ("red line", "生态红线"),
        "map_eco": ("ecological space", "生态空间"),
        "map_share": ("share changed", "变更比例"),
        "map_use": ("planned use", "规划用途"),
        "map_diff": ("difference to the base", "与基准的差异"),
        "red_line": ("Ecological red line", "生态保护红线"),
        "outside_red_line": ("Outside the red line", "红线外"),
        "eco_space": ("Ecological space", "生态空间"),
        "eco_conservation": ("Conservation", "保育区"),
        "eco_integrated": ("Integrated", "综合区"),
        "eco_cultivation": ("Cultivation", "培育区"),
        "eco_restoration": ("Restoration", "修复区"),
        "eco_none": ("Not ecological space", "非生态空间"),
        "yes": ("yes", "是"),
        "no": ("no", "否"),
        "unchanged": ("unchanged", "不变"),
        "set_budget_yuan": ("Budget", "预算"),
        "set_forestry_carbon_yuan_per_t": ("Forestry carbon price", "林业碳汇价格"),
        "set_agricultural_carbon_yuan_per_t": ("Agricultural carbon price", "农业碳汇价格"),
        "set_gep_scale": ("GEP scale", "GEP 系数"),
        "set_establishment_cost_multiplier": ("Establishment cost multiplier", "建设成本系数"),
        "set_garden_max_ha": ("Largest garden", "游园面积上限"),
        "set_garden_min_ha": ("Smallest garden", "游园面积下限"),
        "set_vegetation_coverage_min": ("Vegetation coverage floor", "植被覆盖率下限"),
        "set_forest_coverage_min": ("Forest coverage floor", "森林覆盖率下限"),
        "set_red_line_min_share": ("Red line share floor", "红线面积比例下限"),
        "set_dividend_floor_yuan": ("Dividend floor per village", "每村分红下限"),
        "set_min": ("Fewest recruits", "招募人数下限"),
        "set_max": ("Most recruits", "招募人数上限"),
        "app_sweep": ("Sweep", "参数扫描"),
        "app_sweep_note": (
            "For analysts: planner sweep of the scenario chosen on the left over one setting, in local processes "
            "or on a Dask scheduler.",
            "供分析人员使用：对左侧所选情景的一个参数运行 planner sweep，可用本机进程或 Dask 调度器。",
        ),
        "app_sweep_param": ("Setting", "参数"),
        "app_sweep_low": ("Low", "下限"),
        "app_sweep_high": ("High", "上限"),
        "app_sweep_design": ("Design", "抽样设计"),
        "app_sweep_levels": ("Points (levels)", "取值个数"),
        "app_sweep_workers": ("Local processes", "本机进程数"),
        "app_sweep_scheduler": ("Dask scheduler (optional)", "Dask 调度器（可选）"),
        "app_sweep_start": ("Start the sweep", "开始扫描"),
        "app_sweep_stop": ("Stop", "停止"),
        "app_sweep_running": ("running", "运行中"),
        "app_sweep_done": ("finished", "已完成"),
        "app_sweep_failed": ("failed", "失败"),
        "app_sweep_indices": ("Sensitivity indices", "敏感性指标"),
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
