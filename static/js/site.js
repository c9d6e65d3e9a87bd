/* Progressive enhancement only: every feature here also works without it. */
(function () {
  "use strict";

  // "I Prayed": post the form in the background and update the count in place.
  document.querySelectorAll("form[data-pray-form]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("[data-pray-button]");
      var count = form.querySelector("[data-pray-count]");
      // Not disabled while sending, so keyboard focus stays on the button.
      if (form.getAttribute("aria-busy") === "true") return;
      form.setAttribute("aria-busy", "true");
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.json().then(function (data) {
            return { status: response.status, data: data };
          });
        })
        .then(function (result) {
          var data = result.data;
          var hint = form.querySelector("[data-pray-hint]");
          if (data.login_url) {
            window.location.href = data.login_url;
          } else if (data.error) {
            count.textContent = data.error;
          } else if ("prayed" in data) {
            // A toggle: the form now posts the other way.
            button.textContent = data.prayed ? "You prayed" : "I Prayed";
            button.classList.toggle("is-prayed", data.prayed);
            button.setAttribute("aria-pressed", data.prayed ? "true" : "false");
            count.textContent = data.label;
            if (data.action) form.action = data.action;
            if (hint) hint.hidden = !data.prayed;
          }
        })
        .catch(function () {
          form.submit(); // fall back to the plain form post
        })
        .finally(function () {
          form.removeAttribute("aria-busy");
        });
    });
  });

  // "Reply" opens the comment form under the comment instead of a new page.
  var mainForm = document.querySelector("#comment-form form[data-comment-form]");
  if (mainForm) {
    var home = mainForm.parentNode;
    var parentField = mainForm.querySelector("[data-parent-field]");
    var submit = mainForm.querySelector("button[type=submit]");
    var cancel = mainForm.querySelector("[data-cancel-reply]");
    var restore = function () {
      parentField.value = "";
      submit.textContent = "Post comment";
      cancel.hidden = true;
      home.appendChild(mainForm);
    };
    document.querySelectorAll("[data-reply]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        var comment = link.closest(".comment-body");
        parentField.value = link.closest(".comment").id.replace("comment-", "");
        submit.textContent = "Post reply";
        cancel.hidden = false;
        comment.appendChild(mainForm);
        var box = mainForm.querySelector("textarea");
        if (box) box.focus();
      });
    });
    cancel.addEventListener("click", restore);
  }

  // Typing another amount chooses "Another amount", so what is typed is what is given.
  var otherAmount = document.querySelector("#id_other_amount");
  var otherChoice = document.querySelector("input[name=amount_choice][value=other]");
  if (otherAmount && otherChoice) {
    otherAmount.addEventListener("input", function () {
      if (otherAmount.value.trim()) otherChoice.checked = true;
    });
  }

  // A message can be closed; without the script it simply stays in the page's flow.
  document.querySelectorAll("[data-message]").forEach(function (message) {
    var close = message.querySelector("[data-dismiss]");
    if (!close) return;
    close.hidden = false;
    close.addEventListener("click", function () {
      message.remove();
    });
  });

  // Print, copy link and the browser's share sheet: shown only where they work.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });

  var status = document.querySelector("[data-copy-status]");
  if (navigator.clipboard) {
    document.querySelectorAll("[data-copy-link]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(button.getAttribute("data-copy-link")).then(
          function () {
            if (status) status.textContent = "Link copied.";
          },
          function () {
            if (status) status.textContent = "Could not copy the link.";
          }
        );
      });
    });
  }

  if (navigator.share) {
    document.querySelectorAll("[data-share]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator
          .share({
            title: button.getAttribute("data-share-title"),
            url: button.getAttribute("data-share-url"),
          })
          .catch(function () {});
      });
    });
  }
})();
