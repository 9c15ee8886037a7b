// Check-in page: where the browser has a barcode detector (Chrome on Android), a button scans the
// attendee's QR code with the camera and submits it; elsewhere the field takes what a scanner app types.
(function () {
  "use strict";
  function setup() {
    var form = document.querySelector("[data-checkin-form]");
    if (!form || !("BarcodeDetector" in window) || !navigator.mediaDevices) return;
    var button = form.querySelector("[data-scan]");
    var video = form.querySelector("[data-scan-video]");
    var field = form.querySelector("input[name=code]");
    button.hidden = false;
    button.addEventListener("click", function () {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        video.play();
        var tick = function () {
          detector.detect(video).then(function (codes) {
            if (codes.length) {
              stream.getTracks().forEach(function (t) { t.stop(); });
              field.value = codes[0].rawValue;
              form.submit();
            } else {
              window.requestAnimationFrame(tick);
            }
          }).catch(function () { window.requestAnimationFrame(tick); });
        };
        tick();
      }).catch(function () { button.hidden = true; });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup); else setup();
})();
