// The visitor's status page, live: at each call or change in the line told by the public event
// stream, and after each reconnect, the page is read again and its standing replaced. Only
// this visitor's own page is read; the stream itself carries numbers and counters only.
(function () {
  "use strict";
  var pending = false;
  function refresh() {
    if (pending) return;
    pending = true;
    setTimeout(function () {
      fetch(window.location.href, { cache: "no-store", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          pending = false;
          if (!html) return;
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById("standing");
          var here = document.getElementById("standing");
          if (fresh && here) here.replaceWith(document.importNode(fresh, true));
        })
        .catch(function () { pending = false; });
    }, 100);
  }
  var first = true;
  function connect() {
    if (!window.EventSource) return;
    var source = new EventSource("/api/v1/events");
    source.addEventListener("open", function () {
      document.body.setAttribute("data-connected", "true");
      if (!first) refresh();
      first = false;
    });
    source.addEventListener("called", refresh);
    source.addEventListener("queue", refresh);
    source.onerror = function () {
      document.body.setAttribute("data-connected", "false");
      // Refused (too many streams from this network) or cut: read the page now, try again later.
      if (source.readyState === EventSource.CLOSED) {
        refresh();
        setTimeout(connect, 15000);
      }
    };
  }
  connect();
})();
