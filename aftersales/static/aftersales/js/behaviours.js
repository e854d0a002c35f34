/* Small page behaviours, declared with data- attributes instead of inline on*= handlers (the
   Content-Security-Policy allows no inline script):
     <select data-autosubmit>      submits its form when the choice changes
     <button data-print>           prints the page
   and one for the item forms of the scoring pages (assessments/_answer_fields.html): a change
   while 抽样 is chosen is saved only once both counts are filled in (choosing 抽样 first shows
   and focuses the counts); the Save button still sends it, and the server names what is missing.
*/
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-autosubmit]") && field.form) {
      if (field.form.requestSubmit) { field.form.requestSubmit(); } else { field.form.submit(); }
    }
  });
  document.addEventListener("htmx:confirm", function (event) {
    var form = event.detail.elt, trigger = event.detail.triggeringEvent;
    if (!trigger || trigger.type !== "change" || !form.matches || !form.matches("form.item")) { return; }
    var sampled = form.querySelector("input[name=kind][value=sampled]");
    if (!sampled || !sampled.checked) { return; }
    var missing = Array.prototype.filter.call(
      form.querySelectorAll("input[name=sampled], input[name=nonconforming]"),
      function (count) { return count.value.trim() === ""; }
    );
    if (missing.length) {
      event.preventDefault();
      if (trigger.target === sampled) { missing[0].focus(); }
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
