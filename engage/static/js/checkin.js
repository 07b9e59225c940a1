// The check-in desk, made quicker where the browser allows; the page works as plain forms without it.
//  - Search as you type: the results are fetched with a GET, which changes nothing.
//  - The box keeps the focus, so a barcode scanner (which types the code, then Enter) always lands in it.
//  - "Scan with camera" where the browser has BarcodeDetector: a code read is put in the box and sent,
//    as a scanner would.
(function () {
  "use strict";

  var DELAY_MS = 250;
  // A bare check-in code, or the QR code's link ending in one: sent with Enter, never searched for.
  var CODE = /^(?:\S*\/c\/)?[0-9a-f]{32}\/?$/i;

  function setUp(form) {
    var box = form.querySelector("input[name=q]");
    var results = document.getElementById("checkin-results");
    var url = form.getAttribute("data-results-url");
    var timer = null;
    var latest = 0;

    function search() {
      var text = box.value.trim();
      if (CODE.test(text)) {
        return; // a code is checked in by the form's POST, on Enter
      }
      var asked = ++latest;
      fetch(url + "&q=" + encodeURIComponent(text), {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
      })
        .then(function (response) {
          return response.ok ? response.text() : null;
        })
        .then(function (html) {
          if (html === null || asked !== latest) {
            return; // an older answer arriving late must not replace a newer one
          }
          var holder = document.createElement("div");
          holder.innerHTML = html;
          var fresh = holder.querySelector("#checkin-results");
          if (fresh && results) {
            results.replaceWith(fresh);
            results = fresh;
          }
        })
        .catch(function () {
          /* offline for a moment: the Search button still works */
        });
    }

    box.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, DELAY_MS);
    });
    form.addEventListener("submit", function () {
      window.clearTimeout(timer);
      latest++;
    });
    // Back to the box after the page loads (a panel or the error summary may have taken focus).
    if (!document.querySelector("[data-error-summary]")) {
      box.focus();
    }
    setUpCamera(form, box);
  }

  function setUpCamera(form, box) {
    var start = form.querySelector("[data-scan]");
    var area = form.querySelector("[data-camera]");
    var video = form.querySelector("[data-video]");
    var status = form.querySelector("[data-camera-status]");
    var stop = form.querySelector("[data-scan-stop]");
    if (!start || !("BarcodeDetector" in window) || !navigator.mediaDevices) {
      return; // no camera scanning here: the button stays hidden
    }
    var stream = null;
    var detector = null;
    start.hidden = false;

    function finish() {
      if (stream) {
        stream.getTracks().forEach(function (track) { track.stop(); });
      }
      stream = null;
      video.srcObject = null;
      area.hidden = true;
      start.hidden = false;
      box.focus();
    }

    function look() {
      if (!stream) {
        return;
      }
      detector.detect(video).then(function (codes) {
        var found = codes.length ? codes[0].rawValue : "";
        if (found) {
          finish();
          box.value = found;
          status.textContent = "Code read";
          form.requestSubmit();
          return;
        }
        window.setTimeout(look, 200);
      }, function () {
        window.setTimeout(look, 200);
      });
    }

    start.addEventListener("click", function () {
      detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices
        .getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (media) {
          stream = media;
          video.srcObject = media;
          area.hidden = false;
          start.hidden = true;
          status.textContent = "Hold the QR code up to the camera";
          return video.play();
        })
        .then(look)
        .catch(function () {
          area.hidden = false;
          status.textContent = "The camera could not be used. Type the name, or use a scanner.";
        });
    });
    stop.addEventListener("click", finish);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-checkin-box]");
    if (form) {
      setUp(form);
    }
  });
})();
