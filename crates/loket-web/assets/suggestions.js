// The counter's "similar answers" panel: loads the answers of the most similar archived visits
// into #suggestions while a visit is in service. Without this script the panel's link opens them.
(function () {
  "use strict";
  var panel = document.getElementById("suggestions");
  if (!panel || !panel.dataset.src) return;
  var body = panel.querySelector(".suggestions-body");
  fetch(panel.dataset.src, { credentials: "same-origin", headers: { Accept: "text/html" } })
    .then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      return r.text();
    })
    .then(function (html) {
      // The fragment is rendered (and escaped) by Loket itself.
      body.innerHTML = html;
      panel.setAttribute("aria-busy", "false");
    })
    .catch(function () {
      body.textContent = panel.dataset.failed || "";
      panel.setAttribute("aria-busy", "false");
    });
})();
