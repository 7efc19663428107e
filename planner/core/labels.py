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
        # issue 19, required targets (rule family planner.model.rules.targets)
        "targets": ("Required targets", "约束性目标"),
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
        # --- GEP by the national accounting method (issue 19 item 7, models/gep_national.yaml):
        # the service names of the NDRC/NBS 2022 specification and GB/T 46869-2025
        "crop_products": ("Crop products", "农业产品"),
        "fruit_products": ("Fruit products", "林果产品"),
        "water_conservation": ("Water conservation", "水源涵养"),
        "soil_retention": ("Soil retention", "土壤保持"),
        "sand_fixation": ("Windbreak and sand fixation", "防风固沙"),
        "carbon_sequestration": ("Carbon sequestration", "固碳"),
        "oxygen_release": ("Oxygen release", "释氧"),
        "air_purification": ("Air purification", "空气净化"),
        "recreation": ("Recreation", "休闲旅游"),
        # --- end of the national-method services
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
        # issue 19, required targets: the kind of a target in the report (a rule, or a figure reported against)
        "target_required": ("required", "约束性"),
        "target_reported": ("reported", "参考性"),
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
        "app_stage_explaining": ("explaining the plan", "正在解释方案"),
        "app_sheets": ("Village plan sheets", "村级实施方案"),
        "app_explanation": ("Rules that bind the plan", "约束方案的规则"),
        "app_workbook": ("workbook (Excel)", "工作簿（Excel）"),
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
        "app_may_give": (
            "Rules the repair may relax (untick what must hold, then diagnose again):",
            "修复时可放宽的规则（取消勾选必须保持的规则，然后重新诊断）：",
        ),
        "app_rediagnose": ("Diagnose again with this choice", "按此选择重新诊断"),
        "repair_money": ("Money (budgets, loan cap)", "资金（预算、贷款上限）"),
        "repair_dividends": ("Dividend floors", "分红下限"),
        "repair_targets": ("Coverage and red-line targets", "覆盖率与红线目标"),
        "repair_people": ("Recruitment ranges and labour pools", "招聘人数范围与劳动力"),
        "repair_land": ("Other land rules", "其他用地规则"),
        "repair_decisions": ("Required gardens, projects, street green", "必须建设的游园、项目、街道绿地"),
        "repair_bans": ("Bans (farmland, red line, permissions)", "禁止性规定（基本农田、红线、许可）"),
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
        "what_each_village": (
            "What each village does (village plan sheets: report.html, plan.xlsx)",
            "各村实施内容（村级实施方案见 report.html、plan.xlsx）",
        ),
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

# --- Village plan sheets and the report in two languages (issue 17, "sheets") ---------------
# The sheets' and the report's headings, table headers and sentences; a ``{name}`` is filled
# in by the caller (planner.explain.sheets, planner.report). Sentences keyed ``why_*`` are
# the reasons a village sheet gives, in the planner's words.
TERMS["word"].update(
    {
        # units
        "unit_ha": ("ha", "公顷"),
        "unit_people": ("people", "人"),
        "unit_yuan": ("Yuan", "元"),
        "unit_yuan_yr": ("Yuan/yr", "元/年"),
        "yes": ("yes", "是"),
        "no": ("no", "否"),
        "none": ("none", "无"),
        "warning": ("Warning", "警告"),
        "note": ("Note", "注"),
        # village plan sheets
        "sh_title": ("Village plan sheets", "村级实施方案"),
        "sh_sheet": ("Village plan sheet: {name}", "村级实施方案：{name}"),
        "sh_intro": (
            "One page per village: the parcels to change and what to do on each, the money, jobs and "
            "dividends, and the reasons in plain words. Each sheet starts a new printed page.",
            "每村一页：需变更的地块及各地块的实施内容，资金、就业与分红，以及用平实语言说明的原因。"
            "每份方案打印时另起一页。",
        ),
        "sh_status": (
            "Plan status: {status}; termination {termination}; optimality gap {gap}.",
            "方案状态：{status}；求解终止原因：{termination}；最优性间隙：{gap}。",
        ),
        "sh_no_change": ("No change: the village keeps its land as it is.", "无变更：本村土地保持现状。"),
        "sh_parcels": ("Parcels to change", "需变更的地块"),
        "sh_ha_in": ("{period} (ha)", "{period}年（公顷）"),
        "sh_money_jobs": ("Money, jobs and dividends", "资金、就业与分红"),
        "sh_item": ("Item", "事项"),
        "sh_jobs_role": ("Jobs: {role}", "就业岗位：{role}"),
        "sh_garden_on": ("{ha} ha by {period}, on {parcels}", "{period}年{ha}公顷，地块：{parcels}"),
        "sh_projects": ("Projects hosted", "承接的项目"),
        "sh_project_built": (
            "{name}: built by {period}; capital cost {capex} Yuan, income {income} Yuan/yr",
            "{name}：{period}年前建成；投资{capex}元，收入每年{income}元",
        ),
        "sh_project_not_built": ("{name}: not in this plan", "{name}：本方案不建设"),
        "sh_from_to": ("{cover} -> {use}", "{cover} → {use}"),
        "sh_no_plan": ("No plan: no village sheets.", "无方案：没有村级实施方案。"),
        "sh_no_instance": (
            "Village sheets not shown: the instance could not be loaded ({why}).",
            "未显示村级实施方案：算例无法加载（{why}）。",
        ),
        # the reasons of a village sheet
        "why_needs_more": (
            "{use} rather than {other_lc} here: {other_lc} would have to bring {amount} Yuan/yr more per ha to be "
            "chosen.",
            "此处选择{use}而非{other}：{other}每公顷每年须再多带来{amount}元才会入选。",
        ),
        "why_tie": (
            "{use} here; {other_lc} would do as well (an equally good choice).",
            "此处选择{use}；{other}同样可行（两者同样好）。",
        ),
        "why_more_gep": (
            "{use} rather than {other} on {cover}: {amount} Yuan/yr more GEP per ha.",
            "{cover}上选择{use}而非{other}：每公顷生态产品总值每年多{amount}元。",
        ),
        "why_garden_cap": ("The garden stops at {ha} ha: the policy's cap.", "游园面积止于{ha}公顷：政策上限。"),
        "why_garden_min": ("The garden is {ha} ha: the policy's minimum.", "游园面积为{ha}公顷：政策下限。"),
        "why_one_more_ha": ("One more ha would be worth {amount} Yuan/yr.", "每多1公顷每年可多得{amount}元。"),
        "why_one_more_ha_upto": (
            "One more ha would be worth up to {amount} Yuan/yr.",
            "每多1公顷每年最多可多得{amount}元。",
        ),
        "why_one_more_unit": (
            "One more {unit} would be worth {amount} Yuan/yr.",
            "每放宽1{unit}每年可多得{amount}元。",
        ),
        "why_one_more_unit_upto": (
            "One more {unit} would be worth up to {amount} Yuan/yr.",
            "每放宽1{unit}每年最多可多得{amount}元。",
        ),
        "why_share_cap": (
            "{use} stops at {ha} ha: the policy allows at most {share} of the village's {cover_lc}.",
            "{use}止于{ha}公顷：政策规定最多占本村{cover}的{share}。",
        ),
        "why_interactive": (
            "The interactive forest is {ha} ha: at most {k} ha for each ha of village garden.",
            "互动体验林为{ha}公顷：每公顷村庄游园最多配{k}公顷。",
        ),
        "why_recruit_min": (
            "The township's {total} {role_lc} in {period} are the role's minimum ({here} of them here); "
            "the work needs {need}.",
            "{period}年全乡{role}{total}人是该岗位的最低人数（本村{here}人）；实际工作量需要{need}人。",
        ),
        "why_recruit_min_nowork": (
            "The township's {total} {role_lc} in {period} are the role's minimum ({here} of them here).",
            "{period}年全乡{role}{total}人是该岗位的最低人数（本村{here}人）。",
        ),
        "why_recruit_max": (
            "The township's {total} {role_lc} in {period} are the role's maximum ({here} of them here); "
            "the work alone would take {need}.",
            "{period}年全乡{role}{total}人已达该岗位的最高人数（本村{here}人）；仅按工作量需要{need}人。",
        ),
        "why_project_area": (
            "{project} is built here by {period}: it needs {need} ha of {what} {where}, and the plan has {have} ha.",
            "本村于{period}年前建成{project}：需要{where}{what}{need}公顷，方案中为{have}公顷。",
        ),
        "sh_in_village": ("in the village", "本村"),
        "sh_in_township": ("in the township", "全乡"),
        "sh_in_villages": ("in {names}", "{names}"),
        "why_project": (
            "{project} is built here by {period}: it brings {income} Yuan/yr.",
            "本村于{period}年前建成{project}：每年收入{income}元。",
        ),
        "why_budget": ("The budget of {period} is spent in full.", "{period}年预算已全部用完。"),
        "why_one_more_yuan": (
            "One more Yuan of it would be worth {amount} Yuan/yr.",
            "每多1元预算每年可多得{amount}元。",
        ),
        "why_one_more_yuan_upto": (
            "One more Yuan of it would be worth up to {amount} Yuan/yr.",
            "每多1元预算每年最多可多得{amount}元。",
        ),
        "why_without_garden": (
            "Without the garden the best plan would be worth {amount} Yuan/yr less.",
            "若不建游园，最优方案每年少{amount}元。",
        ),
        "why_without_use": (
            "Without {use_lc} here the best plan would be worth {amount} Yuan/yr less.",
            "本村若不安排{use}，最优方案每年少{amount}元。",
        ),
        "why_land_was": (
            "The land changed was mostly {cover_lc} ({ha} of {total} ha).",
            "变更的土地主要为{cover}（共{total}公顷，其中{ha}公顷）。",
        ),
        "why_rule_limit": (
            "{rule} is at its limit here.",
            "{rule}在本村已达限值。",
        ),
        # the report
        "rp_title": ("Plan report: {name}", "规划方案报告：{name}"),
        "rp_status": ("Status", "方案状态"),
        "rp_item": ("item", "事项"),
        "rp_value": ("value", "内容"),
        "rp_termination": ("Termination", "求解终止原因"),
        "rp_gap_abs": ("bound − objective: {v} Yuan/yr", "上界与目标值之差：{v}元/年"),
        "rp_objective": ("Objective", "目标函数值"),
        "rp_objective_bound": ("Objective bound", "目标函数上界"),
        "rp_not_run": ("not run", "未运行"),
        "rp_passed": ("passed ({n} rule checks)", "通过（{n}项规则核验）"),
        "rp_failed": ("FAILED: {n} violation(s)", "未通过：{n}处违规"),
        "rp_status_note": ("Status note", "状态说明"),
        "rp_solver": ("Solver", "求解器"),
        "rp_solver_times": ("{solver}, solve {solve} s, build {build} s", "{solver}，求解{solve}秒，建模{build}秒"),
        "rp_solver_time": ("{solver}, {solve} s in all", "{solver}，共{solve}秒"),
        "rp_instance": ("Instance", "算例"),
        "rp_overrides": ("Overrides", "参数覆盖"),
        "rp_warn_not_optimal": (
            "This plan is {status}, not proved optimal (termination {termination}, optimality gap {gap}). "
            "Call it 'feasible, not proved optimal', never 'the optimum'.",
            "本方案为“{status}”，未证明最优（求解终止原因：{termination}，最优性间隙：{gap}）。"
            "请称其为“可行、未证明最优”，切勿称为“最优方案”。",
        ),
        "rp_warn_up_to": (
            " The best possible objective may be up to {v} Yuan/yr higher.",
            "最优目标值可能最多再高{v}元/年。",
        ),
        "rp_warn_no_plan": (
            "No plan: status {status} (termination {termination}); not proved optimal, nothing to report. ",
            "无方案：状态为“{status}”（求解终止原因：{termination}）；未证明最优，没有可报告的内容。",
        ),
        "rp_warn_violations": (
            "The independent verifier found {n} violation(s); do not use this plan. {first}",
            "独立核验发现{n}处违规；请勿使用本方案。{first}",
        ),
        "rp_pointer": (
            "Why the plan is as it is: each village sheet gives the reasons in plain words; the optimisation's "
            "own terms (rule prices, ranges, the model's rows) are in the appendix for analysts at the end.",
            "方案为何如此：各村实施方案用平实语言说明原因；优化模型自身的术语（规则价格、取值范围、模型约束行）"
            "见文末的附录（供分析人员）。",
        ),
        "rp_kpis": ("Headline KPIs per period", "各规划期主要指标"),
        "rp_figure": ("figure", "指标"),
        "rp_budget_used_of": ("Budget used of budget (Yuan)", "已用预算／预算（元）"),
        "rp_loans": ("Loans drawn (Yuan)", "已提取GEP贷款（元）"),
        "rp_used_of": ("{used} of {budget}{share}", "{used}／{budget}{share}"),
        "rp_no_kpis": ("No KPIs: the run has no plan.", "无指标：本次运行没有方案。"),
        "rp_money_note": (
            "Money in Yuan (M = million, bn = billion); annual flows in Yuan/yr. Budget used includes loans drawn.",
            "金额单位为元（M = 百万，bn = 十亿）；年度流量单位为元/年。已用预算含已提取的贷款。",
        ),
        "rp_targets": ("Plan against targets", "方案与目标对照"),
        "rp_targets_not_shown": (
            "Targets not shown: the instance could not be loaded ({why}). The report is without targets.",
            "未显示目标：算例无法加载（{why}）。本报告不含目标。",
        ),
        "rp_no_targets": ("The instance sets no targets.", "算例未设定目标。"),
        "rp_target": ("target", "目标"),
        "rp_plan_value": ("plan value", "方案值"),
        "rp_wanted": ("target", "目标值"),
        "rp_met": ("met", "是否达成"),
        "rp_source": ("source", "来源"),
        "rp_range": ("{lo} to {hi}", "{lo}至{hi}"),
        "rp_targets_met": (
            "{n} of {m} targets met. Targets are figures the plan is reported against, not rules of the model.",
            "{m}项目标中达成{n}项。目标是用于对照方案的指标，不是模型的规则。",
        ),
        "rp_kind": ("kind", "类型"),
        "rp_targets_met_required": (
            "{n} of {m} targets met. Required targets ({r}, listed first) are rules of the model: every plan meets "
            "them. The others are figures the plan is reported against.",
            "{m}项目标中达成{n}项。约束性目标（{r}项，列在前面）是模型的规则，任何方案都满足；其余为用于对照方案的参考性指标。",
        ),
        "rp_loan_title": ("GEP-value loans and their repayment", "GEP贷款及其偿还"),
        "rp_no_plan_loans": ("No plan: no loans.", "无方案：没有贷款。"),
        "rp_no_loans": ("No GEP-value loan is drawn.", "未提取GEP贷款。"),
        "rp_loan_drawn": ("loan of", "贷款提取期"),
        "rp_loan_principal": ("loan (Yuan)", "贷款额（元）"),
        "rp_loan_interest": ("interest paid (Yuan)", "支付利息（元）"),
        "rp_loan_repaid": ("principal repaid (Yuan)", "偿还本金（元）"),
        "rp_loan_outstanding": ("owed at the end (Yuan)", "期末未偿余额（元）"),
        "rp_loan_paid_off": ("last instalment", "还清年份"),
        "rp_loan_note": (
            "Each loan is repaid in {term} equal yearly instalments from the end of the period it is drawn in; "
            "interest and instalments are paid from the budget of the period they fall in (budget used includes "
            "them).",
            "每笔贷款自提取期末起分{term}年等额偿还本金；利息与分期本金由其所在规划期的预算支付（已用预算已含）。",
        ),
        "rp_loan_owed": (
            "{owed} Yuan is still owed after the last period.",
            "末期之后仍欠{owed}元。",
        ),
        "rp_loan_none_owed": ("Nothing is owed after the last period.", "末期之后无未偿余额。"),
        "rp_villages": ("Per village", "分村情况"),
        "rp_no_plan_villages": ("No plan: nothing per village.", "无方案：没有分村内容。"),
        "rp_land_by": ("Land in each use by {period} (ha)", "{period}年各用途面积（公顷）"),
        "rp_no_land": ("No land in new uses.", "没有土地转为新用途。"),
        "rp_areas_note": (
            "Areas are states at the end of the period (they include what was established earlier).",
            "面积为规划期末的状态（含此前已建成的部分）。",
        ),
        "rp_village_heading": ("Gardens, recruits and dividends per village", "各村游园、招聘与分红"),
        "rp_garden_in": ("garden {period}", "{period}年游园"),
        "rp_garden_area": ("garden area (ha)", "游园面积（公顷）"),
        "rp_recruits_in": ("recruits {period}", "{period}年招聘人数"),
        "rp_dividends_in": ("dividends {period} (Yuan/yr)", "{period}年分红（元/年）"),
        "rp_village_note": (
            "Garden: '–' for the central town (no village garden rule). Dividends: income of the recipients that "
            "count as dividends (objective.dividend_recipients).",
            "游园：集镇不适用村庄游园规则，记为“–”。分红：计为分红的受益方的收入（objective.dividend_recipients）。",
        ),
        "rp_projects": ("EOD projects built", "已建EOD项目"),
        "rp_host": ("host village", "所在村"),
        "rp_built_by": ("built by", "建成期"),
        "rp_capex": ("capital cost (Yuan)", "投资（元）"),
        "rp_income": ("income (Yuan/yr)", "收入（元/年）"),
        "rp_charts": ("Charts", "图表"),
        "rp_section_failed": (
            "The {name} section could not be written: {error}",
            "“{name}”部分无法生成：{error}",
        ),
        # the appendix for analysts
        "ax_title": ("Appendix for analysts: the optimisation's own terms", "附录（供分析人员）：优化模型的术语"),
        "ax_intro": (
            "For analysts: the rule prices, ranges and rows of the optimisation model behind the plan. The plan "
            "part above says the same in plain words.",
            "供分析人员参考：方案背后优化模型的规则价格、取值范围和约束行。前文方案部分已用平实语言说明。",
        ),
        "ax_not_computed": ("not computed", "未计算"),
        "ax_explanation_not_computed": ("Explanation not computed", "未计算解释"),
        "ax_no_explanation": (
            "no explanation was given (pass one, or put explanation.json beside plan.json).",
            "未提供解释（请传入解释，或将 explanation.json 放在 plan.json 旁）。",
        ),
        "ax_binding": ("Binding rules", "起作用的约束"),
        "ax_prices": ("Largest shadow prices", "最大影子价格"),
        "ax_why_not": ("Why not: options not taken", "未采用的选项"),
        "ax_importance": ("Importance of what the plan took", "方案所选内容的重要性"),
        "ax_ranging": ("Parameter ranging", "参数范围分析"),
        "ax_rule": ("rule", "规则"),
        "ax_rows": ("rows", "行数"),
        "ax_binding_col": ("binding", "起作用"),
        "ax_priced": ("priced", "有价格"),
        "ax_largest_price": ("largest shadow price", "最大影子价格"),
        "ax_where": ("where", "位置"),
        "ax_price": ("shadow price", "影子价格"),
        "ax_loosen": ("loosen by", "可放宽"),
        "ax_tighten": ("tighten by", "可收紧"),
        "ax_loss": ("objective loss (Yuan/yr)", "目标损失（元/年）"),
        "ax_kind": ("kind", "类型"),
        "ax_item": ("item", "对象"),
        "ax_status": ("status", "状态"),
        "ax_statement": ("statement", "说明"),
        "ax_part_nc": ("{what}: not computed.", "{what}：未计算。"),
        "ax_rule_summary": ("Rule summary", "约束汇总"),
        "ax_shadow_prices": ("Shadow prices", "影子价格"),
        "ax_whynot_findings": ("Why-not findings", "未采用原因"),
        "ax_replacement": ("Replacement importance", "替换重要性"),
        "ax_no_columns": (" (no known columns)", "（没有可识别的列）"),
        "ax_mismatch": (
            "The explanation was computed for a plan with status {status} and objective {objective} Yuan/yr, not "
            "this one ({plan_status}, {plan_objective}).",
            "该解释针对的方案状态为{status}、目标值{objective}元/年，并非本方案（{plan_status}，{plan_objective}）。",
        ),
        "ax_fixed_lp": (
            "The plan's fixed LP: {status}, objective {objective} Yuan/yr.",
            "方案的固定LP：{status}，目标值{objective}元/年。",
        ),
        "ax_no_rule_binds": ("No rule binds.", "没有起作用的约束。"),
        "ax_idle": ("Not binding anywhere ({n}): {rules}.", "在任何位置均不起作用（{n}）：{rules}。"),
        "ax_prices_note": (
            "Prices of the LP with the plan's yes/no and whole-number decisions fixed (see the note above): they "
            "price continuous changes around this plan, not a change of those decisions.",
            "以下为将方案的是/否及整数决策固定后的LP价格（见上方注释）：它们衡量方案附近的连续变化，而非这些决策本身的改变。",
        ),
        "ax_no_price": ("No rule has a shadow price.", "没有约束有影子价格。"),
        "ax_prices_order": (
            "Policy rules first, then the model's definitions (a parcel's area used once, work norms). Loosen by / "
            "tighten by: how far the rule's limit can move before the plan's basis changes and the price no longer "
            "holds.",
            "先列政策规则，再列模型的定义（地块面积只用一次、用工定额）。可放宽／可收紧：约束限值在方案基不变、"
            "价格仍然成立的前提下可移动的幅度。",
        ),
        "ax_closest": (
            "Closest to entering the plan first (how much more a hectare would have to be worth per year):",
            "按最接近入选排序（每公顷每年还须多值多少）：",
        ),
        "ax_all_taken": ("Every permitted option is taken somewhere.", "每个允许的选项都已在某处采用。"),
        "ax_forbidden": ("Forbidden by a rule ({n}{more}):", "被规则禁止（{n}{more}）："),
        "ax_first10": (", first 10 shown", "，仅列前10项"),
        "ax_merged": (
            "A parcel written like {unit} is a land unit of the optimisation: parcel {parcel} and {n} more parcel(s) "
            "exactly like it (same village, cover and rules), decided together; the plan's tables and the village "
            "sheets give each parcel by its own id.",
            "形如{unit}的地块是优化模型的合并用地单元：地块{parcel}及与其完全相同（同村、同地类、同规则）的{n}个地块，"
            "一并决策；方案各表和村级实施方案均按各地块自己的编号列出。",
        ),
    }
)

# --- plan.xlsx, the QGIS styles of plan.gpkg and the report's use map (issue 17, outputs) ---
# Sentences take their figures through str.format: {period}, {gap}, {n} ...
TERMS["word"].update(
    {
        # sheets of plan.xlsx (Excel allows 31 characters)
        "sheet_summary": ("Summary", "概要"),
        "sheet_kpis": ("Key figures", "主要指标"),
        "sheet_recruitment": ("Recruitment", "招聘"),
        "sheet_projects": ("Projects", "项目"),
        "sheet_finance": ("Finance", "资金"),
        # summary
        "item": ("Item", "条目"),
        "value": ("Value", "数值"),
        "instance": ("Instance", "规划情景"),
        "status_code": ("Status code", "状态代码"),
        "termination": ("How the solver ended", "求解器终止原因"),
        "objective_yuan": ("Objective (Yuan/yr)", "目标函数值（元/年）"),
        "objective_bound": ("Best possible objective (Yuan/yr)", "目标函数上界（元/年）"),
        "solver": ("Solver", "求解器"),
        "periods": ("Periods", "规划期"),
        "planner_version": ("Planner version", "软件版本"),
        "status_note": ("Note on the status", "状态说明"),
        "status_line": (
            "Plan status: {status}; optimality gap: {gap}; checked independently: {verified}",
            "方案状态：{status}；最优性间隙：{gap}；独立核验：{verified}",
        ),
        "gap_proved": ("0: proved optimal, no better plan exists", "0：已证明最优，不存在更优方案"),
        "gap_within": ("at most {gap} below the best possible plan", "与理论最优方案相差至多 {gap}"),
        "gap_unknown_book": ("unknown: not proved optimal", "未知：未证明最优"),
        "not_run": ("not run", "未进行"),
        "rule_checks": ("{n} rule checks", "{n} 项规则检查"),
        "violations": ("{n} violation(s)", "{n} 处违规"),
        # units
        "unit_yuan_per_yr": ("Yuan/yr", "元/年"),
        "unit_gardens": ("gardens", "个"),
        "unit_projects": ("projects", "个"),
        "unit_share": ("%", "%"),
        # key figures
        "kpi": ("Key figure", "指标"),
        "unit": ("Unit", "单位"),
        "target": ("Target", "目标"),
        "target_met": ("Target met", "是否达标"),
        # a village's sheet
        "section_parcels": ("Parcels to change", "需变更的地块"),
        "no_parcels": ("No parcel of this village changes in the plan.", "本村在方案中没有需变更的地块。"),
        "parcel_area_ha": ("Parcel area (ha)", "地块面积（公顷）"),
        "new_use": ("New use", "新用途"),
        "ha_by_end": ("In the use by the end of {period} (ha)", "{period}期末该用途面积（公顷）"),
        "cost_in": ("Establishment cost {period} (Yuan)", "{period}期建设投资（元）"),
        "section_recruits": ("People recruited, by role", "按岗位招聘人数"),
        "role": ("Role", "岗位"),
        "people_in": ("{period} (people)", "{period}期（人）"),
        "section_dividends": ("Dividends and collective income", "分红与村集体收益"),
        "recipient": ("Recipient", "收益对象"),
        "yuan_per_yr_in": ("{period} (Yuan/yr)", "{period}期（元/年）"),
        "recipient_villagers": ("Villagers", "村民"),
        "recipient_village_collective": ("Village collective", "村集体"),
        "recipient_social_capital": ("Social capital", "社会资本"),
        "recipient_township_government": ("Township government", "乡镇政府"),
        # recruitment, projects, finance
        "host_village": ("Host village", "所在村"),
        "built_in": ("Built in period", "建设期"),
        "not_built": ("not built", "未建设"),
        "capital_cost_yuan": ("Capital cost (Yuan)", "项目投资（元）"),
        "income_yuan_per_yr": ("Income once built (Yuan/yr)", "建成后年收益（元/年）"),
        "budget_yuan": ("Budget (Yuan)", "预算（元）"),
        "loan_yuan": ("GEP-value loan (Yuan)", "GEP贷款（元）"),
        "available_yuan": ("Budget and loan (Yuan)", "预算与贷款合计（元）"),
        "establishment_yuan": ("Land establishment (Yuan)", "土地建设投资（元）"),
        "project_capex_yuan": ("Project capital (Yuan)", "项目投资（元）"),
        "wages_yuan": ("Wages (Yuan)", "工资（元）"),
        "spent_yuan": ("Spent (Yuan)", "支出合计（元）"),
        "share_spent": ("Share of budget and loan spent", "预算与贷款使用比例"),
        "interest_yuan_per_yr": ("Loan interest (Yuan/yr)", "贷款利息（元/年）"),
        # issue 19: loan service, the loan schedule and the targets sheet
        "debt_service_yuan": ("Loan service: interest and instalments (Yuan)", "贷款还本付息（元）"),
        "section_loans": ("Repayment schedule of the GEP-value loans", "GEP贷款还款计划"),
        "loan_drawn_in": ("Loan drawn in period", "贷款提取期"),
        "loan_principal_yuan": ("Loan (Yuan)", "贷款额（元）"),
        "loan_interest_yuan": ("Interest paid in the period (Yuan)", "本期支付利息（元）"),
        "loan_repaid_yuan": ("Principal repaid in the period (Yuan)", "本期偿还本金（元）"),
        "loan_outstanding_yuan": ("Still owed at the end of the period (Yuan)", "期末未偿余额（元）"),
        "paid_off_year": ("Last instalment (year)", "还清年份"),
        "loan_note": (
            "Interest and instalments are paid from the budget of the period they fall in (Loan service above).",
            "利息与分期本金由其所在规划期的预算支付（见上表“贷款还本付息”）。",
        ),
        "sheet_targets": ("Targets", "目标"),
        "scope": ("Whose figure", "统计范围"),
        "target_kind": ("Kind", "类型"),
        "minimum": ("At least", "下限"),
        "maximum": ("At most", "上限"),
        "plan_value": ("Plan", "方案值"),
        # the report's use map and the parcels' QGIS style
        "map_use_title": (
            "The plan on the map: each parcel's main new use, end of {period}",
            "方案地图：各地块的主要新用途（{period}期末）",
        ),
        "map_legend_title": ("New use (hectares in the use)", "新用途（该用途面积）"),
        "map_unchanged": ("Unchanged: keeps its cover", "不变：保持现状地类"),
        "map_partial": ("Paler: only part of the parcel changes", "颜色较浅：地块仅部分变更"),
        "map_boundary": ("Village boundary", "村界"),
        "map_gardens": ("Village gardens, drawn at their area", "村级游园（按实际面积绘制）"),
        "map_other_uses": ("Other new uses", "其他新用途"),
    }
)

# --- The report's charts (issue 17, charts in Chinese): titles, axes, legends, captions. ---
# ``{period}``, ``{part}``, ``{amount}``, ``{key}``, ``{error}``, ``{package}`` and ``{env}``
# are filled in by planner.report.charts.
TERMS["word"].update(
    {
        "charts": ("Charts", "图表"),
        "maps": ("Maps", "地图"),
        "charts_no_plan": ("No charts: the run has no plan.", "无图表：本次运行没有方案。"),
        "chart_failed": ("Chart {key} could not be drawn: {error}", "图表 {key} 无法绘制：{error}"),
        "map_failed": ("Map {key} could not be drawn: {error}", "地图 {key} 无法绘制：{error}"),
        "charts_no_cjk_font": (
            "No Chinese font was found, so Chinese text in the charts shows as empty boxes: "
            "pip install {package}, or set {env} to the path of a font file with Chinese glyphs.",
            "未找到中文字体，图表中的中文将显示为空白方框：请运行 pip install {package}，"
            "或将环境变量 {env} 设为含中文字形的字体文件路径。",
        ),
        "chart_area_title": ("Area by village and use, end of {period} (ha)", "各村各用途面积，{period}期末（公顷）"),
        "chart_area_empty": ("no land in new uses by {period}", "截至{period}期末没有土地转为新用途"),
        "chart_area_caption": (
            "(a) Area in each new use by village at the end of {period} (ha).",
            "（a）{period}期末各村各新用途面积（公顷）。",
        ),
        "ecosystem_service": ("Ecosystem service", "生态系统服务"),
        "eod_projects": ("EOD projects", "EOD项目"),
        "chart_gep_title": (
            "GEP by village and ecosystem service, {period} (Yuan/yr)",
            "各村各生态系统服务的生态产品总值，{period}（元/年）",
        ),
        "chart_gep_empty": ("no GEP rows for {period}", "{period}没有生态产品总值数据"),
        "chart_gep_caption": (
            "(b) GEP by ecosystem service and village in {period} (Yuan/yr); "
            "EOD projects' added cultural GEP counted at the host village.",
            "（b）{period}各村各生态系统服务的生态产品总值（元/年）；EOD项目新增的文化服务价值计入所在村。",
        ),
        "recipient_hatched": ("Recipient (hatched: not a dividend)", "收益对象（斜线：不计为分红）"),
        "recipient_listed_company": ("Listed company", "上市公司"),
        "yuan": ("Yuan", "元"),
        "yuan_per_yr": ("Yuan/yr", "元/年"),
        "chart_div_empty": ("no dividends or incomes in this plan", "本方案没有分红或收益"),
        "chart_div_by_period": ("Township total, by period", "全乡合计，按规划期"),
        "chart_div_by_village": ("By village, {period}", "按村，{period}"),
        "chart_div_title": (
            "Dividends and incomes by recipient and village (Yuan/yr)",
            "按收益对象和村统计的分红与收益（元/年）",
        ),
        "chart_div_caption": (
            "(c) Income by recipient per period, and by village and recipient in {period} (Yuan/yr); "
            "hatched recipients do not count as dividends.",
            "（c）各规划期按收益对象的收益，以及{period}按村和收益对象的收益（元/年）；斜线填充的收益对象不计为分红。",
        ),
        "chart_recr_empty": ("no recruitment roles", "没有招聘岗位"),
        "chart_recr_note": (
            "Grey band with black lines: the role's range (min to max, township total) in the periods "
            "it applies; dashed min: applies only while its project is active.",
            "灰色带与黑线：岗位在适用规划期内的人数范围（最少至最多，全乡合计）；虚线下限：仅在其项目运营期间适用。",
        ),
        "chart_recr_title": (
            "Recruitment per role and period (people) against each role's range",
            "各岗位各规划期招聘人数（人）与岗位人数范围",
        ),
        "chart_recr_caption": (
            "(d) People recruited per role and period (township total)",
            "（d）各岗位各规划期招聘人数（全乡合计）",
        ),
        "chart_recr_ranges": (", with the role's range.", "，及岗位人数范围。"),
        "chart_recr_no_instance": ("; ranges not shown (no instance).", "；未读取实例文件，不显示人数范围。"),
        "chart_recr_off": ("; recruitment ranges are off in this instance.", "；本实例未启用招聘人数范围。"),
        "budget": ("budget", "预算"),
        "gep_loan": ("GEP-value loan", "GEP贷款"),
        "establishment": ("establishment", "建设投资"),
        "project_capital": ("project capital", "项目资本投入"),
        "wages": ("wages", "工资"),
        "loan_service": ("loan interest and instalments", "贷款还本付息"),
        "used": ("used", "支出"),
        "used_part": ("used: {part}", "支出：{part}"),
        "loan_amount": ("+ {amount} loan", "+ {amount} 贷款"),
        "chart_budget_empty": ("no finance table", "没有财务表"),
        "chart_budget_title": (
            "Budget use per period (Yuan): budget and loans (left bar) against spending (right bar)",
            "各规划期预算使用（元）：预算与贷款（左柱）对比支出（右柱）",
        ),
        "chart_budget_caption": (
            "(e) Budget and GEP-value loans available per period against spending "
            "(establishment, project capital, wages).",
            "（e）各规划期可用的预算与GEP贷款对比支出（建设投资、项目资本投入、工资）。",
        ),
    }
)

# --- Prices per person and per whole decision (issue 19, item 2): planner.explain.units ---
# ``{n}`` the rule's limit, ``{loosened}`` / ``{tightened}`` the limit one unit looser or tighter,
# ``{value}`` Yuan/yr from the re-solves.
TERMS["word"].update(
    {
        "unit_prices": (
            "What each person, garden and project a rule requires is worth (re-solved one unit looser and tighter)",
            "规则要求的每个人、每个游园、每个项目的价值（放宽和收紧一个单位后重新求解）",
        ),
        "up_min_person": (
            "Each of the {n} {role} the role's minimum requires in {period} costs {value}: with {loosened} "
            "the plan would be worth {value} more.",
            "{period}年岗位最低人数要求的{n}名{role}，每人的代价为{value}：若为{loosened}人，方案价值将增加{value}。",
        ),
        "up_min_person_free": (
            "The role's minimum of {n} {role} in {period} costs nothing at the margin: with {loosened} the plan "
            "would be worth no more.",
            "{period}年{role}最低{n}人的要求在边际上没有代价：若为{loosened}人，方案价值不会增加。",
        ),
        "up_min_active_person": (
            "Each of the {n} {role} the role's minimum requires in {period} while {project} works costs {value}: "
            "with {loosened} the plan would be worth {value} more.",
            "{period}年{project}运行期间岗位最低人数要求的{n}名{role}，每人的代价为{value}：若为{loosened}人，"
            "方案价值将增加{value}。",
        ),
        "up_min_active_person_free": (
            "The role's minimum of {n} {role} in {period} while {project} works costs nothing at the margin: "
            "with {loosened} the plan would be worth no more.",
            "{period}年{project}运行期间{role}最低{n}人的要求在边际上没有代价：若为{loosened}人，方案价值不会增加。",
        ),
        "up_min_project_person": (
            "Each of the {n} {role} the projects in {village} need in {period} costs {value}: with {loosened} "
            "the plan would be worth {value} more.",
            "{period}年{village}所承载项目需要的{n}名{role}，每人的代价为{value}：若为{loosened}人，方案价值将增加{value}。",
        ),
        "up_min_project_person_free": (
            "The {n} {role} the projects in {village} need in {period} cost nothing at the margin: with "
            "{loosened} the plan would be worth no more.",
            "{period}年{village}所承载项目需要的{n}名{role}在边际上没有代价：若为{loosened}人，方案价值不会增加。",
        ),
        "up_max_person": (
            "The role's maximum of {n} {role} in {period} holds the plan back: with {loosened} allowed the plan "
            "would be worth {value} more.",
            "{period}年{role}最高{n}人的上限限制了方案：若允许{loosened}人，方案价值将增加{value}。",
        ),
        "up_max_person_free": (
            "The role's maximum of {n} {role} in {period} is reached but costs nothing: with {loosened} allowed "
            "the plan would be worth no more.",
            "{period}年{role}已达最高{n}人，但这一上限没有代价：若允许{loosened}人，方案价值不会增加。",
        ),
        "up_garden": (
            "The garden required in {village} costs {value}: without the requirement the plan would be worth "
            "{value} more.",
            "{village}必须建设的游园代价为{value}：若无此要求，方案价值将增加{value}。",
        ),
        "up_garden_free": (
            "The garden required in {village} costs nothing: without the requirement the plan would be worth no more.",
            "{village}必须建设的游园没有代价：若无此要求，方案价值不会增加。",
        ),
        "up_street_green": (
            "The last of the {n} street green spaces required costs {value}: with {loosened} the plan would be "
            "worth {value} more.",
            "要求的{n}处街道绿地中最后一处的代价为{value}：若为{loosened}处，方案价值将增加{value}。",
        ),
        "up_street_green_free": (
            "The {n} street green spaces required cost nothing at the margin: with {loosened} the plan would be "
            "worth no more.",
            "要求的{n}处街道绿地在边际上没有代价：若为{loosened}处，方案价值不会增加。",
        ),
        "up_project_required": (
            "Requiring project {project} costs {value}: without the requirement the plan would be worth {value} more.",
            "要求建设项目{project}的代价为{value}：若无此要求，方案价值将增加{value}。",
        ),
        "up_project_required_free": (
            "Requiring project {project} costs nothing: without the requirement the plan would be worth no more.",
            "要求建设项目{project}没有代价：若无此要求，方案价值不会增加。",
        ),
        "up_project_earliest": (
            "Holding project {project} back in {period} costs {value}: allowed then, the plan would be worth "
            "{value} more.",
            "项目{project}在{period}年不得建设，其代价为{value}：若允许，方案价值将增加{value}。",
        ),
        "up_project_earliest_free": (
            "Holding project {project} back in {period} costs nothing: allowed then, the plan would be worth no more.",
            "项目{project}在{period}年不得建设没有代价：若允许，方案价值不会增加。",
        ),
        "up_tighten": ("With {tightened} it would be worth {value} less.", "若为{tightened}，方案价值将减少{value}。"),
        "up_tighten_free": ("With {tightened} it would be worth no less.", "若为{tightened}，方案价值不会减少。"),
        "up_tighten_infeasible": (
            "With {tightened} no plan would meet every rule.",
            "若为{tightened}，没有方案能满足全部规则。",
        ),
        "why_recruit_price_min": (
            "Each of them costs {amount} Yuan/yr: with one fewer the plan would be worth that much more (re-solved).",
            "每人代价{amount}元/年：少一人，方案价值即增加这么多（重新求解）。",
        ),
        "why_recruit_price_max": (
            "One more allowed would be worth {amount} Yuan/yr (re-solved).",
            "多允许一人，方案价值将增加{amount}元/年（重新求解）。",
        ),
        "up_not_solved": ("{what}: the re-solve found no plan ({status}).", "{what}：重新求解未得到方案（{status}）。"),
        "up_not_exact": (
            "(The plan is not proved optimal: these are differences from it, not prices.)",
            "（方案未被证明最优：以上是与该方案的差额，而非价格。）",
        ),
    }
)

# county and prefecture plans (planner solve on a county instance, planner.county)
TERMS["rule"].update({"county": ("County budget pool", "县级统筹资金池")})
TERMS["word"].update(
    {
        "county_method": (
            "Method: {method}, {n} townships; solve {solve} s",
            "求解方式：{method}，{n}个乡镇；求解 {solve} 秒",
        ),
        "county_method_monolithic": ("one model (all townships together)", "整体模型（全部乡镇一起）"),
        "county_method_decomposed": ("decomposed (township by township)", "分解求解（逐个乡镇）"),
        "county_rounds": (
            "Price rounds on the county rules (pool, required targets): {n}; bound {bound}",
            "县级规则（资金池、约束性目标）价格协调轮数：{n}；上界 {bound}",
        ),
        "county_township": ("township", "乡镇"),
        # notes of a county plan (planner.county: status_note in English, status_note_zh)
        "county_note_infeasible": (
            "no plan meets every township's rules and {rules} together: solve each township alone "
            "(planner solve on its file) to see whether one has no plan by itself, else relax the "
            "county rules (a larger pool, a lower minimum, or required: false)",
            "没有方案能同时满足各乡镇的规则和{rules}：请单独求解每个乡镇（对其文件运行 planner solve），"
            "查看是否有乡镇自身就无方案；否则放宽县级规则（扩大资金池、降低下限，或设 required: false）",
        ),
        "county_note_pool": ("the county budget pool", "县级统筹资金池"),
        "county_note_target": ("county target {key} ({name}, {period})", "县级目标 {key}（{name}，{period}年）"),
        "county_note_and": (", ", "、"),
        "county_note_gap": (
            "not proved optimal: the best county plan is within {gap} (relative) of the bound after {n} price round(s)",
            "未被证明最优：经 {n} 轮价格协调，最优县级方案与上界的相对差距在 {gap} 以内",
        ),
        "county_note_township_infeasible": (
            "no plan for township(s) {townships}{pool}",
            "乡镇 {townships} 无可行方案{pool}",
        ),
        "county_note_whole_pool": (" even with the whole county pool", "（即使获得全部县级资金池）"),
        "county_note_no_round_plan": (
            "the price rounds found no plan that meets the county rows; solve the county whole "
            "(--method monolithic, which auto chooses for linked townships)",
            "价格协调未找到满足县级规则的方案；请整体求解全县（--method monolithic，县级规则关联乡镇时 auto 即如此）",
        ),
        "county_note_no_share_plan": (
            "a township found no plan with its share of the county rows",
            "有乡镇在其分得的县级额度下无可行方案",
        ),
        "county_note_unverified": (
            "the independent verifier found violations; do not use this plan",
            "独立核查发现违规：请勿使用此方案",
        ),
        "county_objective": ("objective (Yuan/yr)", "目标值（元/年）"),
        "county_from_pool": ("pool {period} (Yuan)", "{period}年资金池（元）"),
        "county_pool_line": (
            "County budget pool {period}: {used} of {limit} Yuan allocated",
            "{period}年县级统筹资金池：已拨付 {used} 元，共 {limit} 元",
        ),
        "county_targets": ("County targets", "县级目标"),
        "county_wrote_report": ("wrote {md} and {html}", "已写入 {md} 和 {html}"),
        "rp_county_title": ("County plan report: {name}", "县级规划方案报告：{name}"),
        "rp_county_intro": (
            "A plan for {n} townships, solved as {method}. The county's figures are the townships' summed; "
            "each township's own plan, tables and workbook are in its folder.",
            "{n}个乡镇的规划方案，求解方式：{method}。县级指标为各乡镇指标之和；各乡镇的方案、表格和工作簿在其文件夹中。",
        ),
        "rp_county_townships": ("The {n} townships", "{n}个乡镇"),
        "rp_county_townships_word": ("Townships", "乡镇"),
        "rp_county_name": ("name", "名称"),
        "rp_county_gep": ("GEP {period} (Yuan/yr)", "{period}年GEP（元/年）"),
        "rp_county_dividends": ("dividends {period} (Yuan/yr)", "{period}年分红（元/年）"),
        "rp_county_folder": ("folder", "文件夹"),
        "rp_county_folders": (
            "Each folder holds the township's plan.json, plan.xlsx and tables; `planner report townships/<id>` "
            "writes its own report with the village plan sheets.",
            "每个文件夹中有该乡镇的 plan.json、plan.xlsx 和表格；"
            "`planner report townships/<id>` 可生成其自己的报告（含村庄规划单）。",
        ),
        "rp_county_pool": ("County budget pool", "县级统筹资金池"),
        "rp_county_allocated": ("allocated (Yuan)", "已拨付（元）"),
        "county_more_townships": (
            "... and {n} more townships (every township: townships.csv)",
            "……另有{n}个乡镇（全部乡镇见 townships.csv）",
        ),
        "county_target_line": (
            "{name}, {period}: {value} ({limits}; {kind}): {met}",
            "{name}，{period}年：{value}（{limits}；{kind}）：{met}",
        ),
        "county_target_met": ("met", "已达到"),
        "county_target_missed": ("not met", "未达到"),
        "county_wrote": (
            "wrote {plan}, {n} CSV tables with a township column and {k} township plan folders to {folder}/",
            "已写入 {plan}、{n}个带乡镇列的CSV表和{k}个乡镇方案文件夹到 {folder}/",
        ),
    }
)

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
