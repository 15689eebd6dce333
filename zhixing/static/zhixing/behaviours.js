/* Small page behaviours, declared in the markup with data-* attributes instead of inline on…= handlers, which the
   Content-Security-Policy (script-src 'self') does not run:
   - data-confirm="问题"    on a form (asked on submit) or a button/link (asked on click): cancel unless confirmed;
     with data-confirm-count="selector" on a button, {n} in the question is the number of matches in its form, and
     data-confirm-none is said (and the click cancelled) when there are none;
   - data-autosubmit       on a select: submit its form when the choice changes;
   - data-mirror="id1 id2" on an input: copy its value to the elements with those ids as it changes;
   - table.zx-cards: each body cell gets its column's header text as data-label (app.css shows it when the rows
     become cards on a phone); a cell that already has a data-label keeps it;
   - data-check-all="selector" on a checkbox: tick or untick every enabled match in its form (全选); it follows
     them back (ticked when all are, mixed when some are);
   - data-print            on a button: open the browser's print dialog (the print views);
   - data-error-summary    on a refused form's summary (includes/form_fields.html): focused on load, so a phone
     scrolls to it and a screen reader reads it. */
(function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches && form.matches("form[data-confirm]") && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  }, true);
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) {
      window.print();
      return;
    }
    var el = event.target.closest && event.target.closest("button[data-confirm], a[data-confirm], input[data-confirm]");
    if (!el) return;
    var question = el.dataset.confirm;
    if (el.dataset.confirmCount) {
      var n = (el.form || document).querySelectorAll(el.dataset.confirmCount).length;
      if (!n && el.dataset.confirmNone) {
        window.alert(el.dataset.confirmNone);
        event.preventDefault();
        event.stopPropagation();
        return;
      }
      question = question.replace("{n}", String(n));
    }
    if (!window.confirm(question)) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) el.form.submit();
  });
  document.addEventListener("input", function (event) {
    var el = event.target;
    if (!el.matches || !el.matches("[data-mirror]")) return;
    el.dataset.mirror.split(/\s+/).forEach(function (id) {
      var other = id && document.getElementById(id);
      if (other) other.value = el.value;
    });
  });
  function labelCardCells() {
    document.querySelectorAll("table.zx-cards").forEach(function (table) {
      var headRows = table.tHead ? table.tHead.rows : [];
      if (!headRows.length) return;
      var labels = [];
      Array.prototype.forEach.call(headRows[headRows.length - 1].cells, function (th) {
        for (var i = 0; i < (th.colSpan || 1); i++) labels.push(th.textContent.trim());
      });
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          var column = 0;
          Array.prototype.forEach.call(row.cells, function (cell) {
            if (!cell.hasAttribute("data-label") && cell.colSpan === 1) cell.setAttribute("data-label", labels[column] || "");
            column += cell.colSpan || 1;
          });
        });
      });
    });
  }
  labelCardCells();
  document.addEventListener("htmx:afterSwap", labelCardCells);  // rows swapped in by htmx get their labels too
  function checkAllTargets(box) {
    return Array.prototype.filter.call(
      (box.form || document).querySelectorAll(box.dataset.checkAll),
      function (el) { return el !== box && !el.disabled; }
    );
  }
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el.matches) return;
    if (el.matches("input[data-check-all]")) {
      checkAllTargets(el).forEach(function (t) { t.checked = el.checked; });
      el.indeterminate = false;
      return;
    }
    var form = el.form || document;
    form.querySelectorAll("input[data-check-all]").forEach(function (box) {
      var targets = checkAllTargets(box);
      if (targets.indexOf(el) < 0) return;
      var ticked = targets.filter(function (t) { return t.checked; }).length;
      box.checked = ticked > 0 && ticked === targets.length;
      box.indeterminate = ticked > 0 && ticked < targets.length;
    });
  });
})();
