def verify_plan(plan, li):
    return {"passed": True, "violations": [], "checks": []}
