// A count's row always shows what became of it. The workload page answers every change with its row (status
// 200); an answer htmx does not swap (an error status: a session that ended, a busy database) or no answer at
// all is written into the row's message cell instead, so that no error is ever lost. So is a cost center's
// section whose lines could not be fetched when it was opened.
function showInRow(event, message) {
  const row = event.detail.elt.closest("tr");
  const section = event.detail.target && event.detail.target.closest(".workload-lines");
  const cell = row ? row.querySelector(".line-message") : section;
  if (!cell) {
    return;
  }
  const shown = document.createElement("span");
  shown.className = "usa-error-message";
  shown.setAttribute("role", "alert");
  shown.textContent = message;
  if (row) {
    cell.replaceChildren(shown);
  } else {
    cell.prepend(shown); // the section's link to its cost center's page stays, to try again
  }
}
document.addEventListener("htmx:responseError", function (event) {
  const answer = new DOMParser().parseFromString(event.detail.xhr.responseText, "text/html");
  const said = answer.querySelector(".usa-error-message, main");
  showInRow(event, (said ? said.textContent : answer.body.textContent).trim() || `Not saved (${event.detail.xhr.status}).`);
});
document.addEventListener("htmx:sendError", function (event) {
  const what = event.detail.elt.closest("tr") ? "Not saved" : "The counts were not fetched";
  showInRow(event, `${what}: the workspace could not be reached. Check the connection and try again.`);
});
