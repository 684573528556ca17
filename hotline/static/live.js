// The live fragments: the screen pop (a jurist's banner when their phone rings) and the line now.
// Each fragment is asked again every second or two with the ETag of what the page shows: nothing
// changed, the server answers 304 and nothing moves (hotline/calls/live.py: why a poll and not
// Server-Sent Events). Without JavaScript, "Appels" and "La ligne en direct" still show it all.
(function () {
  "use strict";
  var script = document.currentScript;
  var DISMISSED = "hotline.pop.dismissed";  // call ids and states only: nothing personal is stored

  function dismissed() {
    try { return JSON.parse(window.sessionStorage.getItem(DISMISSED) || "[]"); } catch (e) { return []; }
  }

  function poll(box, url, every, show) {
    var tag = null, timer = null, busy = false, stopped = false;
    function again(delay) { window.clearTimeout(timer); if (!stopped) { timer = window.setTimeout(tick, delay); } }
    function tick() {
      if (busy) { return; }
      busy = true;
      var headers = { "Accept": "text/html" };
      if (tag) { headers["If-None-Match"] = tag; }
      fetch(url, { headers: headers, credentials: "same-origin", cache: "no-store", redirect: "manual" })
        .then(function (response) {
          if (response.status === 200) {
            var next = response.headers.get("ETag");
            return response.text().then(function (html) {
              // Someone typing in the fragment keeps what they type: drawn at the next answer instead.
              if (box.contains(document.activeElement) && document.activeElement !== box) { return; }
              show(html);
              tag = next;
            });
          }
          if (response.status !== 304) { stopped = response.type === "opaqueredirect" || response.status === 403; }
        })
        .catch(function () { /* the network or the server is down: asked again at the next tick */ })
        .then(function () { busy = false; again(every); });
    }
    document.addEventListener("visibilitychange", function () { if (!document.hidden) { again(0); } });
    tick();
  }

  function screenPop(url) {
    var main = document.getElementById("contenu");
    if (!main) { return; }
    var box = document.createElement("div");
    box.id = "live-pop";
    box.className = "live-pop";
    box.setAttribute("aria-live", "polite");
    box.hidden = true;
    main.insertBefore(box, main.firstChild);
    function show(html) {
      box.innerHTML = html;
      var hidden = dismissed();
      Array.prototype.forEach.call(box.querySelectorAll("[data-pop-key]"), function (section) {
        if (hidden.indexOf(section.getAttribute("data-pop-key")) >= 0) { section.remove(); }
      });
      box.hidden = !box.querySelector("[data-pop-key]");
    }
    box.addEventListener("click", function (event) {
      var button = event.target.closest("[data-pop-dismiss]");
      if (!button) { return; }
      var section = button.closest("[data-pop-key]");
      var hidden = dismissed().concat([section.getAttribute("data-pop-key")]).slice(-50);
      try { window.sessionStorage.setItem(DISMISSED, JSON.stringify(hidden)); } catch (e) { /* private mode */ }
      section.remove();
      box.hidden = !box.querySelector("[data-pop-key]");
      main.focus();
    });
    poll(box, url, 1000, show);
  }

  function start() {
    if (script && script.dataset.pop) { screenPop(script.dataset.pop); }
    Array.prototype.forEach.call(document.querySelectorAll("[data-live-src]"), function (box) {
      poll(box, box.getAttribute("data-live-src"), Number(box.getAttribute("data-live-every")) || 2000,
           function (html) { box.innerHTML = html; });
    });
  }

  if (script) {  // the banner's and the line's styles, beside this script
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = script.src.replace(/live\.js(\?.*)?$/, "live.css");
    document.head.appendChild(css);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
