/* Idle-session warning (core/middleware.py SessionSecurity). Loaded as a file, not inline, for the coming
   Content-Security-Policy. The server says how many idle seconds the session has left (data-idle-seconds); this
   shows a warning data-warn-seconds before that, with a "继续使用" button that pings the keep-alive endpoint.
   Tabs share the deadline through localStorage, so activity in one tab quiets the warning in the others. */
(function () {
  "use strict";
  var tag = document.getElementById("zx-session");
  if (!tag) { return; }
  var idle = parseInt(tag.dataset.idleSeconds, 10);
  var total = parseInt(tag.dataset.idleTotal, 10) || idle;
  var warn = parseInt(tag.dataset.warnSeconds, 10) || 120;
  var keepaliveUrl = tag.dataset.keepaliveUrl;
  var loginUrl = tag.dataset.loginUrl;
  var KEY = "zx-session-deadline";
  var STAMP_SLACK = 60; /* the server renews its stamp at most once a minute */
  if (!idle || idle <= 0) { return; }

  var deadline = Date.now() + idle * 1000;
  var box = null;

  function share() {
    try { localStorage.setItem(KEY, String(deadline)); } catch (e) { /* private mode: this tab only */ }
  }
  function csrfToken() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function hide() {
    if (box) { box.remove(); box = null; }
  }
  function toLogin() {
    window.location.href = loginUrl + "?next=" + encodeURIComponent(window.location.pathname + window.location.search);
  }
  function show(seconds) {
    if (!box) {
      box = document.createElement("div");
      box.className = "alert alert-warning shadow position-fixed bottom-0 start-50 translate-middle-x mb-3 d-flex align-items-center gap-2";
      box.style.zIndex = "2000";
      box.style.maxWidth = "95vw";
      box.setAttribute("role", "alert");
      var text = document.createElement("span");
      text.className = "zx-session-text";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-primary";
      button.textContent = "继续使用";
      button.addEventListener("click", keepAlive);
      box.appendChild(text);
      box.appendChild(button);
      document.body.appendChild(box);
    }
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    box.querySelector(".zx-session-text").textContent =
      "您已较长时间未操作，为安全起见，系统将在 " + (minutes ? minutes + " 分 " : "") + rest + " 秒后自动退出。";
  }
  function keepAlive() {
    fetch(keepaliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "XMLHttpRequest" },
      redirect: "manual"
    }).then(function (response) {
      if (!response.ok) { throw new Error("expired"); }
      return response.json();
    }).then(function (data) {
      deadline = Date.now() + (data.idle_seconds || total) * 1000;
      share();
      hide();
    }).catch(toLogin);
  }
  function tick() {
    var left = Math.round((deadline - Date.now()) / 1000);
    if (left <= 0) { toLogin(); return; }
    if (left <= warn) { show(left); } else { hide(); }
  }
  document.body.addEventListener("htmx:afterRequest", function () {
    deadline = Math.max(deadline, Date.now() + (total - STAMP_SLACK) * 1000);
    share();
  });
  window.addEventListener("storage", function (event) {
    if (event.key === KEY && event.newValue) {
      deadline = Math.max(deadline, parseInt(event.newValue, 10) || deadline);
      tick();
    }
  });
  share();
  window.setInterval(tick, 1000);
}());
