/* Organisation tree: the first click on a node loads its children through htmx (hx-trigger="click once");
   later clicks only fold and unfold what is loaded. */
(function () {
  function mark(btn, open) {
    btn.setAttribute("aria-expanded", open ? "true" : "false");
    btn.setAttribute("aria-label", open ? "收起下级" : "展开下级");
    var icon = btn.querySelector("i");
    if (icon) icon.className = open ? "bi bi-caret-down-fill" : "bi bi-caret-right-fill";
  }
  document.addEventListener("click", function (e) {
    var btn = e.target.closest(".zx-toggle[data-target]");
    if (!btn || !btn.dataset.loaded) return;
    var box = document.getElementById(btn.dataset.target);
    if (!box) return;
    var hidden = box.classList.toggle("d-none");
    mark(btn, !hidden);
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    var target = e.detail.target;
    if (!target || !target.id) return;
    var btn = document.querySelector('.zx-toggle[data-target="' + target.id + '"]');
    if (btn) { btn.dataset.loaded = "1"; mark(btn, true); }
  });
})();
