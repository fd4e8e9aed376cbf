// Upload progress for large account imports. Without JavaScript the form posts normally.
(function () {
  var form = document.querySelector("form.js-upload");
  if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
  var bar = form.querySelector(".upload-progress");
  var status = form.querySelector(".upload-status");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    bar.hidden = false;
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        bar.value = Math.round(100 * e.loaded / e.total);
        status.textContent = "Uploading: " + bar.value + " %";
      }
    });
    xhr.upload.addEventListener("load", function () {
      bar.removeAttribute("value");
      status.textContent = "Uploaded. Checking and saving every row…";
    });
    xhr.addEventListener("load", function () {
      document.open();
      document.write(xhr.responseText);
      document.close();
    });
    xhr.addEventListener("error", function () { status.textContent = "The upload failed. Try again."; });
    form.querySelector("button[type=submit]").disabled = true;
    xhr.send(new FormData(form));
  });
})();
