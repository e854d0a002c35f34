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
