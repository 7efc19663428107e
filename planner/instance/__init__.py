"""Layer 1, the instance: its schema, safe YAML, overrides, parcel tables and GIS layers,
the checks on them, and loading. Imports only :mod:`planner.core`."""
