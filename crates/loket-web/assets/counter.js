// The counter screen's keyboard shortcuts (live updates come from live.js): F2 calls the next
// number, F3 calls the current one again. The spacing of calls counts down, and the buttons it
// held back come back when it ends. The buttons work without this script (reload the page).
(function () {
  "use strict";
  function click(id) {
    var button = document.getElementById(id);
    if (button && !button.disabled) button.click();
  }

  // Each second: the wait shown (it may have been replaced by a live update) counts down from
  // when it was first seen, and ends by giving back the buttons it held.
  setInterval(function () {
    var wait = document.getElementById("call-wait");
    if (!wait || wait.hasAttribute("data-ended")) return;
    var seconds = parseInt(wait.getAttribute("data-seconds"), 10) || 0;
    if (!wait.hasAttribute("data-until")) {
      wait.setAttribute("data-until", String(Date.now() + seconds * 1000));
      wait.setAttribute("data-text", wait.textContent);
    }
    var left = Math.ceil((parseInt(wait.getAttribute("data-until"), 10) - Date.now()) / 1000);
    if (left > 0) {
      wait.textContent = wait.getAttribute("data-text").replace(String(seconds), String(left));
      return;
    }
    wait.setAttribute("data-ended", "");
    wait.textContent = wait.getAttribute("data-done");
    document.querySelectorAll("[data-after-wait]").forEach(function (b) { b.disabled = false; });
  }, 1000);

  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === "F2") { e.preventDefault(); click("call-next"); }
    if (e.key === "F3") { e.preventDefault(); click("recall"); }
  });
})();
