// Renders this service's /openapi.json. The document lists every service's address; the one that served this page
// goes first, so "Try it out" calls this service (the page may call no other origin).
"use strict";
fetch("/openapi.json", {headers: {Accept: "application/json"}})
  .then(function (response) {
    if (!response.ok) {
      throw new Error("GET /openapi.json answered " + response.status);
    }
    return response.json();
  })
  .then(function (spec) {
    var here = location.origin;
    var servers = spec.servers || [];
    var port = location.port;
    var mine = servers.filter(function (s) { return new URL(s.url).port === port; });
    var others = servers.filter(function (s) { return mine.indexOf(s) < 0; });
    var first = {url: here, description: mine.length ? mine[0].description : "this service"};
    spec.servers = [first].concat(others);
    SwaggerUIBundle({spec: spec, dom_id: "#api-docs", deepLinking: true, tryItOutEnabled: false});
  })
  .catch(function (e) {
    var p = document.createElement("p");
    p.textContent = "The API document could not be loaded: " + e.message;
    document.getElementById("api-docs").appendChild(p);
  });
