// The front office's returning-visitor suggestion: while the clerk types a phone number or an
// e-mail in a new guest book entry, the last visit with it is offered, and "Pakai data ini" fills
// the fields still empty. Without this script the "Cari pengunjung lama" button does the same.
(function () {
  "use strict";
  var form = document.getElementById("new-entry");
  var box = document.getElementById("returning");
  if (!form || !box) return;
  var fields = {
    name: document.getElementById("visitor-name"),
    organization: document.getElementById("visitor-organization"),
    role: document.getElementById("visitor-role"),
    phone: document.getElementById("visitor-phone"),
    email: document.getElementById("visitor-email")
  };
  var timer = null;
  var asked = "";

  function plausible(text) {
    text = text.trim();
    if (text.indexOf("@") > 0) return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(text);
    return text.replace(/\D/g, "").length >= 8;
  }

  function hide() {
    box.hidden = true;
    box.textContent = "";
  }

  function take(visitor) {
    Object.keys(fields).forEach(function (key) {
      var input = fields[key];
      var value = visitor[key];
      if (input && value && !input.value.trim()) input.value = value;
    });
    hide();
    if (fields.name) fields.name.focus();
  }

  function offer(found) {
    var v = found.visitor || {};
    box.textContent = "";
    var text = document.createElement("span");
    var parts = [v.name, v.organization, found.reference].filter(function (p) { return p; });
    text.textContent = form.dataset.lookupFound + " " + parts.join(" · ") + " ";
    var button = document.createElement("button");
    button.type = "button";
    button.id = "take-returning";
    button.textContent = form.dataset.lookupTake;
    button.addEventListener("click", function () { take(v); });
    box.appendChild(text);
    box.appendChild(button);
    box.hidden = false;
  }

  function ask(contact) {
    if (contact === asked) return;
    asked = contact;
    fetch("/api/v1/guests/lookup?contact=" + encodeURIComponent(contact), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (found) {
        if (asked !== contact) return;
        if (found) offer(found); else hide();
      })
      .catch(hide);
  }

  ["phone", "email"].forEach(function (key) {
    var input = fields[key];
    if (!input) return;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var contact = input.value.trim();
      if (!plausible(contact)) { asked = ""; hide(); return; }
      timer = setTimeout(function () { ask(contact); }, 400);
    });
  });
})();
