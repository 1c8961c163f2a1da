// The counter screen's keyboard shortcuts (live updates come from live.js): F2 calls the next
// number, F3 calls the current one again. The buttons work without this script.
(function () {
  "use strict";
  function click(id) {
    var button = document.getElementById(id);
    if (button && !button.disabled) button.click();
  }

  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === "F2") { e.preventDefault(); click("call-next"); }
    if (e.key === "F3") { e.preventDefault(); click("recall"); }
  });
})();
