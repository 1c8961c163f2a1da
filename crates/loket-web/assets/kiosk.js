// The kiosk starts over after its idle time (data-idle, in seconds) without a touch, a key or
// a tap, so that the next visitor sees nothing of the last. The page is replaced, not pushed,
// so the browser's Back does not bring a filled form back.
(function () {
  "use strict";
  var root = document.getElementById("kiosk");
  if (!root) return;
  var seconds = parseInt(root.getAttribute("data-idle"), 10) || 60;
  var fresh = "/kiosk" + (seconds !== 60 ? "?idle=" + seconds : "");
  var timer = null;
  function restart() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      document.querySelectorAll("form").forEach(function (f) { f.reset(); });
      window.location.replace(fresh);
    }, seconds * 1000);
  }
  ["pointerdown", "keydown", "input", "touchstart", "scroll"].forEach(function (name) {
    document.addEventListener(name, restart, { passive: true, capture: true });
  });
  restart();
})();
