// Decisions on the pending page.
// 1. Enter never approves: a key press in the approve form (a ticked box, say) would
//    otherwise "click" its first enabled submit button, and Chrome skips a disabled one.
// 2. The reject form is its own form (Enter in its reason box rejects, never approves);
//    the ticked rows live in the approve form, so they are copied in when it is sent.
"use strict";
(function () {
  const bulk = document.getElementById("bulk");
  if (bulk) {
    bulk.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && event.target.tagName !== "BUTTON") { event.preventDefault(); }
    });
  }
  const form = document.getElementById("reject-form");
  if (!form) { return; }
  form.addEventListener("submit", (event) => {
    form.querySelectorAll('input[name="ids"]').forEach((old) => old.remove());
    if (event.submitter && event.submitter.value === "shown") { return; }
    document.querySelectorAll('#bulk input[name="ids"]:checked').forEach((box) => {
      const copy = document.createElement("input");
      copy.type = "hidden";
      copy.name = "ids";
      copy.value = box.value;
      form.append(copy);
    });
  });
})();
