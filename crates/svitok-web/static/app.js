// Svitok's one script (no framework). Every page works without it; it adds an upload
// progress bar, dropping a file onto an upload form, and a countdown on "send a new
// code" buttons. Loaded from the server itself: the CSP allows no other script.
"use strict";

function uploadWithProgress(form) {
  const bar = form.querySelector("progress");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    if (bar) {
      bar.hidden = false;
      bar.value = 0;
      xhr.upload.addEventListener("progress", (e) => {
        if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
      });
    }
    xhr.addEventListener("load", () => {
      // A success redirects to the card; anything else is a page explaining the failure.
      if (xhr.status < 300 && xhr.responseURL && new URL(xhr.responseURL).pathname !== new URL(form.action).pathname) {
        window.location.assign(xhr.responseURL);
      } else {
        document.open();
        document.write(xhr.responseText);
        document.close();
      }
    });
    xhr.addEventListener("error", () => {
      if (button) button.disabled = false;
      if (bar) bar.hidden = true;
      window.alert(form.dataset.offline || "");
    });
    xhr.send(new FormData(form));
  });
  const input = form.querySelector("input[type=file]");
  const zone = form.querySelector(".drop") || form;
  if (!input) return;
  zone.addEventListener("dragover", (e) => {
    e.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("dragging");
    if (e.dataTransfer && e.dataTransfer.files.length) input.files = e.dataTransfer.files;
  });
}

function countdown(button) {
  let left = parseInt(button.dataset.countdown, 10);
  if (!(left > 0)) return;
  const label = button.textContent;
  button.disabled = true;
  const tick = () => {
    if (left <= 0) {
      button.disabled = false;
      button.textContent = label;
      return;
    }
    // The page gives the words, in its language: "(через %s с)", "(in %s s)".
    button.textContent = label + " " + (button.dataset.wait || "(%s)").replace("%s", String(left));
    left -= 1;
    window.setTimeout(tick, 1000);
  };
  tick();
}

document.querySelectorAll("form.upload").forEach(uploadWithProgress);
document.querySelectorAll("button[data-countdown]").forEach(countdown);
