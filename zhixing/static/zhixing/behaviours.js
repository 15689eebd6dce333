/* Small page behaviours, declared in the markup with data-* attributes instead of inline on…= handlers, which the
   Content-Security-Policy (script-src 'self') does not run:
   - data-confirm="问题"    on a form (asked on submit) or a button/link (asked on click): cancel unless confirmed;
     with data-confirm-count="selector" on a button, {n} in the question is the number of matches in its form, and
     data-confirm-none is said (and the click cancelled) when there are none;
   - data-autosubmit       on a select: submit its form when the choice changes;
   - data-mirror="id1 id2" on an input: copy its value to the elements with those ids as it changes;
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
})();
