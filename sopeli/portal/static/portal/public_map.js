// The map page's only script. Without JavaScript the page's table lists every village and project.
// With it, a "Show the map" button appears; Leaflet (from the django-leaflet package's static files,
// about 46 KB compressed) is fetched only when asked for, so the page's first load stays small on a
// phone. The markers come from the inline JSON (#map-markers); the background tiles from the
// SOPELI_MAP_TILES setting, if any.
(function () {
  "use strict";
  var box = document.getElementById("project-map");
  var data = document.getElementById("map-markers");
  var config = document.getElementById("map-config");
  var button = document.getElementById("show-map");
  if (!box || !data || !config || !button) { return; }

  function draw() {
    var markers = JSON.parse(data.textContent);
    if (!markers.length || !window.L) { return; }
    var map = L.map(box, { scrollWheelZoom: false });
    var tiles = config.getAttribute("data-tiles");
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 18, attribution: config.getAttribute("data-attribution") || "" }).addTo(map);
    }
    var bounds = [];
    markers.forEach(function (m) {
      var item = document.createElement("div");
      var name = document.createElement("strong");
      name.textContent = m.name;
      item.appendChild(name);
      m.projects.forEach(function (p) {
        var line = document.createElement("div");
        line.textContent = p.title + " — " + p.grantee + ", " + p.awarded + " GEL";
        item.appendChild(line);
      });
      L.circleMarker([m.lat, m.lng], { radius: 6 + Math.min(m.projects.length, 6) * 2 })
        .bindTooltip(m.name, { permanent: !tiles }).bindPopup(item).addTo(map);
      bounds.push([m.lat, m.lng]);
    });
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 12 });
  }

  button.hidden = false;
  var note = document.getElementById("show-map-note");
  if (note) { note.hidden = false; }
  button.addEventListener("click", function () {
    button.disabled = true;
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = config.getAttribute("data-leaflet-css");
    document.head.appendChild(css);
    var js = document.createElement("script");
    js.src = config.getAttribute("data-leaflet-js");
    js.onload = function () {
      draw();
      button.hidden = true;
      if (note) { note.hidden = true; }
    };
    document.head.appendChild(js);
  });
})();
