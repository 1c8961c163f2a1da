// Live updates for staff screens: when the staff event stream reports a call or a change in the
// line, the parts of the page marked data-live are fetched again and replaced. A part holding the
// focus, or a field someone is typing in, is left alone. Without this script the page works the
// same; it is only reloaded by hand.
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
    ["called", "queue", "warning", "overrun", "forms"].forEach(function (name) {
      source.addEventListener(name, refresh);
    });
    source.onerror = function () {
      // The browser reconnects by itself; a sign-in that ended answers 401 and stops it.
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 10000);
    };
  }

  window.loketRefresh = refresh;
  connect();
})();
