// The organisation question: the "Your organisation" box is shown only when "Other" is chosen.
// Without this script both are shown, and the box's hint says to use it only for Other.
(function () {
  "use strict";

  function setUp(select) {
    var form = select.form;
    var group = form && form.querySelector("[data-organisation-other]");
    if (!group) {
      return;
    }
    var box = group.querySelector("input");

    function update() {
      // Never hide a box that holds an answer or an error: nothing typed is lost from view.
      var wanted = select.value === "other" || box.value !== "" ||
        group.classList.contains("form-group--error");
      group.hidden = !wanted;
    }

    select.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var selects = document.querySelectorAll("select[data-organisation-choice]");
    for (var i = 0; i < selects.length; i += 1) {
      setUp(selects[i]);
    }
  });
}());
