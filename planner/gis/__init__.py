"""GIS: parcels from GeoPackage, GeoJSON or Shapefile layers, adjacency from shared
boundaries, the plan back as map layers (plan.gpkg) and map figures for the report.

Needs the optional extra ``pip install 'planner[geo]'`` (geopandas with pyogrio; no
system GDAL). Nothing here is imported unless an instance names a GIS parcel layer or a
caller asks for it.
"""
