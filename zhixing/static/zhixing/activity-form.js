/* The activity form (study/activity_form.html), loaded by that page only:
   - the kinds offered follow the organisation chosen (data-kinds-by-org-kind on the kind select, data-org-kind on
     each organisation option; the server refuses a kind that does not fit all the same);
   - the title is suggested from kind and month while the recorder has not typed one of their own;
   - the section "本次学习的讲话或指示" (data-studied-section) is redrawn from the server as the agenda, date or
     organisation change, keeping the ticks the recorder set by hand. */
(function () {
  var form = document.querySelector("form[data-activity-form]");
  if (!form) return;
  var org = form.querySelector("select[name=organization]");
  var kind = form.querySelector("select[name=kind]");
  var date = form.querySelector("input[name=date]");
  var title = form.querySelector("input[name=title]");
  var agenda = form.querySelector("textarea[name=agenda]");

  function offerKinds() {
    if (!org || !kind || !kind.dataset.kindsByOrgKind) return;
    var option = org.options[org.selectedIndex];
    var orgKind = option && option.dataset.orgKind;
    var allowed = orgKind ? JSON.parse(kind.dataset.kindsByOrgKind)[orgKind] : null;
    var firstAllowed = null;
    Array.prototype.forEach.call(kind.options, function (o) {
      var ok = !allowed || allowed.indexOf(o.value) >= 0;
      o.hidden = !ok;
      o.disabled = !ok;
      if (ok && firstAllowed === null) firstAllowed = o;
    });
    if (kind.selectedOptions[0] && kind.selectedOptions[0].disabled && firstAllowed) {
      kind.value = firstAllowed.value;
      suggestTitle();
    }
  }

  var lastSuggestion = null;
  function suggestTitle() {
    if (!title || !kind || !date || !title.dataset.suggestTitle) return;
    var labels = JSON.parse(title.dataset.suggestTitle);
    var m = /^(\d{4})-(\d{2})/.exec(date.value || "");
    if (!m || !labels[kind.value]) return;
    var text = m[1] + "年" + parseInt(m[2], 10) + "月" + labels[kind.value];
    title.placeholder = text;
    if (!title.value || title.value === lastSuggestion) title.value = text;
    lastSuggestion = text;
  }

  var touched = {};
  var timer = null;
  function section() { return form.querySelector("[data-studied-section]"); }
  function refreshStudied() {
    var el = section();
    if (!el || !el.dataset.sectionUrl) return;
    var url = el.dataset.sectionUrl;
    if (org) {
      if (!org.value) return;
      url = url.replace(/\/\d+\/studied\//, "/" + org.value + "/studied/");
    }
    var params = new URLSearchParams();
    if (agenda) params.set("agenda", agenda.value);
    if (date) params.set("date", date.value);
    url += (url.indexOf("?") >= 0 ? "&" : "?") + params.toString();
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("[data-studied-section]");
        var current = section();
        if (!fresh || !current) return;
        fresh.querySelectorAll("input[name=studied]").forEach(function (box) {
          var id = box.value.split("@")[0];
          if (id in touched) box.checked = touched[id];
        });
        current.replaceWith(fresh);
      });
  }
  function later() {
    clearTimeout(timer);
    timer = setTimeout(refreshStudied, 500);
  }

  form.addEventListener("change", function (event) {
    var el = event.target;
    if (el.name === "studied") touched[el.value.split("@")[0]] = el.checked;
    if (el === org) { offerKinds(); refreshStudied(); }
    if (el === kind) suggestTitle();
    if (el === date) { suggestTitle(); refreshStudied(); }
  });
  if (agenda) agenda.addEventListener("input", later);
  offerKinds();
  if (title && !title.value) suggestTitle();
  if (org && org.value && section() && "pending" in section().dataset) refreshStudied();
})();
