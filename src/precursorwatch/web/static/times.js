// Shows every <time datetime="..."> in the viewer's own time zone (Washington, New Delhi,
// wherever the browser is set), keeping the UTC value in the title. No network, no library.
(function () {
  "use strict";
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  var format = new Intl.DateTimeFormat("en-GB", {
    year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
    timeZoneName: "short"
  });
  document.querySelectorAll("time[datetime]").forEach(function (el) {
    var at = new Date(el.getAttribute("datetime"));
    if (isNaN(at.getTime())) { return; }
    el.title = el.textContent;
    el.textContent = format.format(at);
  });
  var label = document.getElementById("tz");
  if (label) { label.textContent = zone; }
}());
