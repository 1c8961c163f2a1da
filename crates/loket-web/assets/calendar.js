// The calendar page: a CSV file chosen is read into the text box, where it can be checked and
// corrected before the import (the form itself posts the text, so it also works without script).
(function () {
  "use strict";
  var file = document.getElementById("csv-file");
  var text = document.getElementById("csv");
  if (!file || !text) return;
  file.addEventListener("change", function () {
    var chosen = file.files && file.files[0];
    if (!chosen) return;
    var reader = new FileReader();
    reader.onload = function () { text.value = String(reader.result || ""); };
    reader.readAsText(chosen, "utf-8");
  });
})();
