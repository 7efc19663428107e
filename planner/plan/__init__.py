"""Layer 4, the plan: the solution as tables, KPIs and per-village figures, and its files."""
