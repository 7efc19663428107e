"""The planner's version, written into every plan, GeoPackage and report."""

__version__ = "0.4.0"
