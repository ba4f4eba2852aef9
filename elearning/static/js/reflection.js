/* Reflection answers stay in this browser: saved in localStorage, never sent. Adds print and save buttons. */
(function () {
  "use strict";
  var PREFIX = "elearning-reflection:";
  document.querySelectorAll("textarea[data-reflection-key]").forEach(function (area) {
    var key = PREFIX + area.getAttribute("data-reflection-key");
    try {
      var saved = window.localStorage.getItem(key);
      if (saved !== null) { area.value = saved; }
      area.addEventListener("input", function () { window.localStorage.setItem(key, area.value); });
    } catch (e) { /* storage blocked: the answer simply is not kept */ }

    var tools = document.getElementById(area.id + "-tools");
    if (!tools) { return; }
    var print = document.createElement("button");
    print.type = "button";
    print.className = "link-button";
    print.textContent = tools.getAttribute("data-print-label");
    print.addEventListener("click", function () { window.print(); });
    var save = document.createElement("button");
    save.type = "button";
    save.className = "link-button";
    save.textContent = tools.getAttribute("data-save-label");
    save.addEventListener("click", function () {
      var prompt = document.getElementById(area.id.replace(/-answer$/, "-prompt"));
      var text = (prompt ? prompt.innerText + "\n\n" : "") + area.value + "\n";
      var link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
      link.download = "reflectie.txt";
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
    tools.appendChild(print);
    tools.appendChild(save);
    tools.hidden = false;
  });
})();
