"""Layer 2, the model: model data and land units, the terms rows are built from, the
rule families (:mod:`planner.model.rules`, one module per family) and the build."""
