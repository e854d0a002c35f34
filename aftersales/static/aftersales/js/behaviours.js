/* Small page behaviours, declared with data- attributes instead of inline on*= handlers (the
   Content-Security-Policy allows no inline script):
     <select data-autosubmit>      submits its form when the choice changes
     <button data-print>           prints the page
*/
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-autosubmit]") && field.form) {
      if (field.form.requestSubmit) { field.form.requestSubmit(); } else { field.form.submit(); }
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) {
      event.preventDefault();
      window.print();
    }
  });
})();
/* <span data-inbox-count="URL">: the number of steps waiting for the user (inbox/_count.html),
   fetched once the page is shown, so no page pays for the inbox's queries before it is drawn. */
(function () {
  "use strict";
  function load() {
    var slots = document.querySelectorAll("[data-inbox-count]");
    if (!slots.length || !window.fetch) { return; }
    fetch(slots[0].getAttribute("data-inbox-count"), { credentials: "same-origin" })
      .then(function (response) { return response.ok && !response.redirected ? response.text() : ""; })
      .then(function (html) { slots.forEach(function (slot) { slot.innerHTML = html; }); })
      .catch(function () {});
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", load); } else { load(); }
})();
