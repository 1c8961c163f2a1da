// The display board, live: the public event stream (/api/v1/events) tells each call and each
// change of a waiting count. A call is announced at once (announcer.js) and the board is read
// again from /api/v1/display, as it is after every reconnect, so that what the TV shows is
// always the server's state, never a guess. EventSource reconnects by itself; if the browser
// gives up, the board opens a new one. Only numbers and counters ever arrive here.
(function () {
  "use strict";
  var body = document.body;
  var service = body.getAttribute("data-service") || "";
  var counters = (body.getAttribute("data-counters") || "").split(",").filter(Boolean);
  var zone = body.getAttribute("data-zone") || "Asia/Jakarta";
  var lang = body.getAttribute("data-lang") === "en" ? "en-GB" : "id-ID";
  var labelCounter = body.getAttribute("data-label-counter") || "";
  var labelNobody = body.getAttribute("data-label-nobody") || "";
  var RECENT = 5;

  function shown(counter) {
    return counters.length === 0 || counters.indexOf(counter) >= 0;
  }

  function row(entry, tag) {
    var li = document.createElement(tag || "li");
    var n = document.createElement("span");
    n.className = "number";
    n.textContent = entry.number;
    var c = document.createElement("span");
    c.className = "counter";
    c.textContent = labelCounter + " " + entry.counter;
    li.appendChild(n);
    li.appendChild(c);
    return li;
  }

  function render(board, latest) {
    var calling = document.getElementById("calling");
    var list = board.calling.filter(function (e) { return shown(e.counter); });
    calling.replaceChildren();
    list.forEach(function (e, i) {
      var li = row(e);
      li.className = "call" + (i === 0 ? " latest" : "") + (latest && e.number === latest ? " fresh" : "");
      calling.appendChild(li);
    });
    if (list.length === 0) {
      var empty = document.createElement("li");
      empty.className = "empty";
      empty.textContent = labelNobody;
      calling.appendChild(empty);
    }
    var recent = document.getElementById("recent");
    recent.replaceChildren();
    (board.recent || []).filter(function (e) { return shown(e.counter); }).slice(0, RECENT).forEach(function (e) {
      recent.appendChild(row(e));
    });
    Object.keys(board.waiting).forEach(function (s) { setWaiting(s, board.waiting[s]); });
    // Numbers skipped, called again at the next turn: numbers only.
    var skipped = document.getElementById("skipped");
    skipped.replaceChildren();
    (board.skipped || []).forEach(function (number) {
      var li = document.createElement("li");
      var span = document.createElement("span");
      span.className = "number";
      span.textContent = number;
      li.appendChild(span);
      skipped.appendChild(li);
    });
    document.getElementById("skipped-section").hidden = (board.skipped || []).length === 0;
  }

  function setWaiting(s, count) {
    var dd = document.querySelector('#waiting [data-service="' + CSS.escape(s) + '"] dd');
    if (dd) dd.textContent = String(count);
  }

  var reading = null;
  var again = false;
  // Reads the whole board; a read asked for while one runs is made once after it.
  function reload(latest) {
    if (reading) { again = true; return reading; }
    var params = new URLSearchParams();
    if (service) params.set("service", service);
    if (counters.length) params.set("counter", counters.join(","));
    var query = params.toString();
    var url = "/api/v1/display" + (query ? "?" + query : "");
    reading = fetch(url, { cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (board) { if (board) render(board, latest); })
      .catch(function () {})
      .then(function () {
        reading = null;
        if (again) { again = false; reload(latest); }
      });
    return reading;
  }

  function wanted(data) {
    return (!service || data.service === service) && shown(data.counter);
  }

  var source = null;
  function connect() {
    if (!window.EventSource) return;
    source = new EventSource("/api/v1/events");
    source.addEventListener("open", function () {
      document.getElementById("board-offline").hidden = true;
      body.setAttribute("data-connected", "true");
      reload();
    });
    source.addEventListener("called", function (e) {
      var data;
      try { data = JSON.parse(e.data); } catch (err) { return; }
      if (!wanted(data)) return;
      if (data.announcement && window.loketAnnouncer) {
        window.loketAnnouncer.announce({
          number: data.number, counter: data.counter,
          clips: data.announcement.clips, text: data.announcement.text,
        });
      }
      reload(data.number);
    });
    source.addEventListener("queue", function (e) {
      var data;
      try { data = JSON.parse(e.data); } catch (err) { return; }
      if (!service || data.service === service) {
        setWaiting(data.service, data.waiting);
        // A skip changes the line too: the skipped numbers are read with the board.
        reload();
      }
    });
    source.onerror = function () {
      document.getElementById("board-offline").hidden = false;
      body.setAttribute("data-connected", "false");
      if (source.readyState === EventSource.CLOSED) {
        setTimeout(connect, 2000);
      }
    };
  }

  function tick() {
    var now = new Date();
    try {
      document.getElementById("board-date").textContent = now.toLocaleDateString(lang, {
        timeZone: zone, weekday: "long", day: "numeric", month: "long", year: "numeric",
      });
      document.getElementById("board-time").textContent = now.toLocaleTimeString(lang, {
        timeZone: zone, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
      });
    } catch (e) {
      // an unknown zone: the server's date and time stay
    }
  }

  // Browsers keep sound off until a first click: one button, once, remembered on this TV.
  var KEY = "loket-sound";
  var button = document.getElementById("sound-on");
  var remembered = false;
  try { remembered = localStorage.getItem(KEY) === "on"; } catch (e) { remembered = false; }
  button.hidden = remembered;
  button.addEventListener("click", function () {
    try { localStorage.setItem(KEY, "on"); } catch (e) { /* private mode: asked again next time */ }
    button.hidden = true;
    if (window.speechSynthesis) speechSynthesis.getVoices();
  });

  if (window.loketAnnouncer) window.loketAnnouncer.preload(["chime", "nomor-antrian", "silakan-menuju-loket"]);
  tick();
  setInterval(tick, 1000);
  connect();
})();
