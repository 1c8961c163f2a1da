// The ticket's "print" button: the browser's print dialog, on the 80 mm layout.
(function () {
  "use strict";
  var button = document.getElementById("print-ticket");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
})();
