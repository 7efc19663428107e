"""Units the planner converts between, defined once.

Areas are in hectares everywhere a user reads them; money in Yuan (annual flows in
Yuan/yr). The model itself counts money in millions (``MONEY``) so that its
coefficients stay within a range the MIP solver handles well
(docs/formulation.md, "Units").
"""

MU_PER_HA = 15.0  # 1 mu = 666.7 m2 [P §4.4(2)]
M2_PER_HA = 10_000.0
AREA_UNITS_PER_HA = {"ha": 1.0, "mu": MU_PER_HA, "m2": M2_PER_HA}  # parcels.area_unit
MONEY = 1e6  # the model's money unit: 1 = one million Yuan
