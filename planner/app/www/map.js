// The planner's map: MapLibre GL JS (served from the `maplibre` pip package) drawing the
// parcels from a GeoJSON URL (fetched and tiled in MapLibre's worker), village outlines,
// village names as HTML labels, a legend, and a popup per clicked parcel. Plans and
// differences arrive as one number per parcel and are applied as feature state.
// Every text shown is set with textContent: nothing from the server is parsed as HTML.
(function () {
  "use strict";
  let map = null, legend = null, mode = "cover", values = null, labels = [], popup = null;
  const state = { ready: false, idleCount: 0 };
  window.plannerMap = state;

  function matchOn(prop, colours, fallback) {
    const e = ["match", ["get", prop]];
    colours.forEach((c, i) => { e.push(i, c[1]); });
    e.push(fallback);
    return e;
  }

  function useColour() {
    const e = ["match", ["coalesce", ["feature-state", "u"], -1]];
    legend.use.forEach((c, i) => { e.push(i, c[1]); });
    e.push("#f2f2f2");
    return e;
  }

  function fillColour() {
    if (mode === "cover") return matchOn("c", legend.cover, "#cccccc");
    if (mode === "red_line") return matchOn("r", legend.red_line, "#eeeeee");
    if (mode === "eco") return matchOn("e", legend.eco, "#eeeeee");
    if (mode === "use") return useColour();
    if (mode === "share") {
      return ["interpolate", ["linear"], ["coalesce", ["feature-state", "s"], 0],
        0, "#f2f2f2", 0.01, "#d9f0d3", 0.5, "#5aae61", 1, "#00441b"];
    }
    return ["interpolate", ["linear"], ["coalesce", ["feature-state", "d"], 0],
      -1, "#b2182b", -0.01, "#f4a582", 0, "#f7f7f7", 0.01, "#92c5de", 1, "#2166ac"];
  }

  function drawLegend() {
    const box = document.getElementById("planner-legend");
    if (!box || !legend) return;
    box.replaceChildren();
    let rows;
    if (mode === "share") rows = legend.share;
    else if (mode === "diff") rows = legend.diff;
    else rows = legend[mode] || [];
    rows.forEach((r) => {
      const line = document.createElement("div");
      const sw = document.createElement("span");
      sw.className = "swatch";
      sw.style.background = r[1];
      const t = document.createElement("span");
      t.textContent = r[0];
      line.append(sw, t);
      box.append(line);
    });
  }

  function applyValues() {
    if (!map || !values || !map.getSource("parcels")) return;
    const keys = Object.keys(values.data);
    const n = values.data[keys[0]].length;
    for (let i = 0; i < n; i++) {
      const st = {};
      keys.forEach((k) => { st[k] = values.data[k][i]; });
      map.setFeatureState({ source: "parcels", id: i }, st);
    }
  }

  function setLabels(url) {
    labels.forEach((m) => m.remove());
    labels = [];
    fetch(url).then((r) => r.json()).then((fc) => {
      map.getSource("villages").setData(fc);
      fc.features.filter((f) => f.properties.label).forEach((f) => {
        const el = document.createElement("div");
        el.className = "village-label";
        el.textContent = f.properties.name;
        labels.push(new maplibregl.Marker({ element: el }).setLngLat(f.geometry.coordinates).addTo(map));
      });
    });
  }

  function init(msg) {
    legend = msg.legend;
    state.ready = false;
    if (map) { map.remove(); map = null; }
    const el = document.getElementById("planner-map");
    if (!msg.parcels) {
      el.replaceChildren();
      const p = document.createElement("p");
      p.className = "no-map";
      p.textContent = msg.none;
      el.append(p);
      return;
    }
    el.replaceChildren();
    map = new maplibregl.Map({
      container: el,
      style: { version: 8, sources: {}, layers: [{ id: "bg", type: "background", paint: { "background-color": "#fbfbf8" } }] },
      bounds: msg.legend.bounds,
      fitBoundsOptions: { padding: 30 },
      attributionControl: false,
    });
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
    map.on("load", () => {
      map.addSource("parcels", { type: "geojson", data: msg.parcels, tolerance: 0.6, buffer: 16, maxzoom: 16 });
      map.addSource("villages", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
      map.addLayer({ id: "parcel-fill", type: "fill", source: "parcels", paint: { "fill-color": fillColour(), "fill-opacity": 0.85, "fill-antialias": false } });
      map.addLayer({ id: "parcel-line", type: "line", source: "parcels", minzoom: 13, paint: { "line-color": "#ffffff", "line-width": 0.4 } });
      map.addLayer({ id: "village-line", type: "line", source: "villages", filter: ["!", ["has", "label"]], paint: { "line-color": "#222222", "line-width": 1.6 } });
      setLabels(msg.villages);
      drawLegend();
      map.once("idle", () => {
        if (values) { map.setPaintProperty("parcel-fill", "fill-color", fillColour()); applyValues(); drawLegend(); }
        state.ready = true;
        el.dataset.ready = "1";
        el.dataset.shown = mode + ":" + ((values && values.version) || "");
      });
    });
    map.on("idle", () => { state.idleCount += 1; });
    map.on("click", "parcel-fill", (e) => {
      const f = e.features && e.features[0];
      if (!f) return;
      Shiny.setInputValue("map_click", { id: f.id, lng: e.lngLat.lng, lat: e.lngLat.lat, n: Date.now() }, { priority: "event" });
    });
    map.on("mouseenter", "parcel-fill", () => { map.getCanvas().style.cursor = "pointer"; });
    map.on("mouseleave", "parcel-fill", () => { map.getCanvas().style.cursor = ""; });
  }

  function showPopup(msg) {
    if (!map) return;
    const box = document.createElement("table");
    box.className = "popup-table";
    msg.rows.forEach((r) => {
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      th.textContent = r[0];
      const td = document.createElement("td");
      td.textContent = r[1];
      tr.append(th, td);
      box.append(tr);
    });
    if (popup) popup.remove();
    popup = new maplibregl.Popup({ maxWidth: "340px" }).setLngLat([msg.lng, msg.lat]).setDOMContent(box).addTo(map);
  }

  // The screen point of a parcel (its bounding box's centre), for tests and tours.
  state.parcelPoint = function (i) {
    const f = map.querySourceFeatures("parcels").find((x) => x.id === i);
    if (!f) return null;
    const ring = f.geometry.type === "Polygon" ? f.geometry.coordinates[0] : f.geometry.coordinates[0][0];
    let x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
    ring.forEach((c) => { x0 = Math.min(x0, c[0]); y0 = Math.min(y0, c[1]); x1 = Math.max(x1, c[0]); y1 = Math.max(y1, c[1]); });
    const p = map.project([(x0 + x1) / 2, (y0 + y1) / 2]);
    const r = map.getCanvas().getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  };
  state.map = () => map;

  function register() {
    Shiny.addCustomMessageHandler("planner-map-init", init);
    Shiny.addCustomMessageHandler("planner-map-values", (msg) => {
      values = msg;
      if (msg.mode) mode = msg.mode;
      if (map && map.getLayer("parcel-fill")) {
        map.setPaintProperty("parcel-fill", "fill-color", fillColour());
        applyValues();
        drawLegend();
        map.once("idle", () => { document.getElementById("planner-map").dataset.shown = mode + ":" + (msg.version || ""); });
        map.triggerRepaint();
      }
    });
    Shiny.addCustomMessageHandler("planner-map-mode", (msg) => {
      mode = msg.mode;
      if (map && map.getLayer("parcel-fill")) map.setPaintProperty("parcel-fill", "fill-color", fillColour());
      drawLegend();
    });
    Shiny.addCustomMessageHandler("planner-popup", showPopup);
  }
  if (window.Shiny && Shiny.addCustomMessageHandler) register();
  else document.addEventListener("shiny:connected", register, { once: true });
})();
// Buttons that force, forbid or undo a decision carry it in data attributes (escaped by
// the server's HTML writer); one listener hands them to the server.
document.addEventListener("click", function (e) {
  const b = e.target.closest("[data-decision]");
  if (!b || !window.Shiny) return;
  Shiny.setInputValue("decide", { action: b.dataset.action, decision: b.dataset.decision, n: Date.now() }, { priority: "event" });
});
// Text laid out before the Chinese font arrived can keep its empty boxes in Chromium; once
// the font has loaded, name it first (it covers only CJK characters) so every text is shaped
// again with it.
if (document.fonts) {
  const reshape = function () {
    const body = document.body;
    const ours = [...document.fonts].some((f) => f.family.replace(/"/g, "") === "Planner CJK" && f.status === "loaded");
    if (body && ours && !body.dataset.cjk) {
      body.dataset.cjk = "1";
      body.style.fontFamily = '"Planner CJK", ' + getComputedStyle(body).fontFamily;
    }
  };
  document.fonts.addEventListener("loadingdone", reshape);
  document.fonts.ready.then(reshape); // the font may have come from the cache before this script ran
}
