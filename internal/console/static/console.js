// Keyward console: progressive enhancement only. Every form works
// without this file; it adds a confirmation before destructive forms,
// keeps the editor's line numbers in step with its text, and moves the
// cursor to a finding's line and column.
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { e.preventDefault(); }
  });
  var doc = document.getElementById("document");
  var gutter = document.querySelector(".code .gutter");
  if (doc && gutter) {
    var renumber = function () {
      var n = doc.value.split("\n").length, s = "";
      for (var i = 1; i <= n; i++) { s += i + "\n"; }
      gutter.textContent = s;
      gutter.scrollTop = doc.scrollTop;
    };
    doc.addEventListener("input", renumber);
    doc.addEventListener("scroll", function () { gutter.scrollTop = doc.scrollTop; });
    renumber();
  }
  document.querySelectorAll("a[data-line]").forEach(function (a) {
    a.addEventListener("click", function (e) {
      if (!doc) { return; }
      e.preventDefault();
      var line = +a.getAttribute("data-line"), col = +a.getAttribute("data-column");
      var lines = doc.value.split("\n"), pos = 0;
      for (var i = 0; i < line - 1 && i < lines.length; i++) { pos += lines[i].length + 1; }
      pos += Math.max(col - 1, 0);
      doc.focus();
      doc.setSelectionRange(pos, pos);
    });
  });
})();
