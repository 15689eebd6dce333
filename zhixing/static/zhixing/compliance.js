  (function () {
    var wrap = document.getElementById("zx-matrix-wrap");
    if (!wrap) return;
    // A cell opens its detail in the dialog (one listener for all cells keeps the page small); without
    // JavaScript the link opens the detail page.
    var modal = document.getElementById("zx-cell-modal");
    wrap.addEventListener("click", function (event) {
      var link = event.target.closest(".zx-cell a");
      if (!link || !window.htmx || !window.bootstrap) return;
      event.preventDefault();
      document.getElementById("zx-cell-body").innerHTML = '<div class="text-muted">加载中……</div>';
      htmx.ajax("GET", link.getAttribute("href"), "#zx-cell-body");
      bootstrap.Modal.getOrCreateInstance(modal).show();
    });
    // On a phone the current period may lie off-screen: bring its column into view.
    var now = wrap && wrap.querySelector("th.zx-now");
    if (now && wrap.scrollWidth > wrap.clientWidth) {
      wrap.scrollLeft = Math.max(0, now.offsetLeft - wrap.clientWidth / 2);
    }
  })();
