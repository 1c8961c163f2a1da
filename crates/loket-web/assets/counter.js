// The counter screen: live updates of the waiting line (as live.js) and keyboard shortcuts:
// F2 calls the next number, F3 calls the current one again. The buttons work without this
// script.
(function () {
  "use strict";
  var pending = false;

  function refresh() {
    if (pending) return;
    pending = true;
    setTimeout(function () {
      fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok || r.status === 409 ? r.text() : null; })
        .then(function (html) {
          pending = false;
          if (!html) return;
          var doc = new DOMParser().parseFromString(html, "text/html");
          document.querySelectorAll("[data-live]").forEach(function (el) {
            if (!el.id || el.contains(document.activeElement)) return;
            var fresh = doc.getElementById(el.id);
            if (fresh) el.replaceWith(document.importNode(fresh, true));
          });
        })
        .catch(function () { pending = false; });
    }, 150);
  }

  function connect() {
    if (!window.EventSource) return;
    var source = new EventSource("/api/v1/events/staff");
    source.addEventListener("called", refresh);
    source.addEventListener("queue", refresh);
    source.onerror = function () {
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 10000);
    };
  }

  function click(id) {
    var button = document.getElementById(id);
    if (button && !button.disabled) button.click();
  }

  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === "F2") { e.preventDefault(); click("call-next"); }
    if (e.key === "F3") { e.preventDefault(); click("recall"); }
  });

  connect();
})();
