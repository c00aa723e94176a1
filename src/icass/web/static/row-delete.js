// A table editor's Delete (editor.html, editor_row.html): each row's button opens the page's one USWDS modal
// (#delete-row) through its hidden opener (USWDS handles the openers the page had when it loaded, never a row
// htmx swapped in); this says in the modal which row goes, and once "Delete" is pressed in it, sends that
// row's DELETE with htmx. A modal, not the browser's confirm(), so that it reads like the rest of the page;
// USWDS traps the focus in it and closes it on Escape. Once it closes, the focus goes back to the row's
// Delete, or, when the row is gone, to the table, and the page says which row went.
let rowToDelete = null;
let watched = false;

function whenClosed(modal) {
  // USWDS marks the modal is-hidden as it closes, whichever way: Delete, Keep it, the X, Escape.
  new MutationObserver(function () {
    if (modal.classList.contains("is-hidden") && rowToDelete !== null) {
      rowToDelete.focus();
      rowToDelete = null;
    }
  }).observe(modal, { attributes: true, attributeFilter: ["class"] });
}

// Capture: the modal's text is set before USWDS (listening on its opener) opens it and a screen reader reads it.
document.addEventListener("click", function (event) {
  const opener = event.target.closest("[data-delete-row]");
  if (opener) {
    rowToDelete = opener;
    document.getElementById("delete-row-said").textContent = opener.dataset.rowSaid;
    if (!watched) {
      whenClosed(document.getElementById("delete-row"));
      watched = true;
    }
    document.getElementById("delete-row-opener").click();
    return;
  }
  if (!event.target.closest("#delete-row-yes") || rowToDelete === null) {
    return;
  }
  const chosen = rowToDelete;
  const row = chosen.closest("tr");
  htmx.ajax("DELETE", chosen.dataset.deleteRow, { source: chosen, target: row, swap: "outerHTML" }).then(function () {
    if (!row.isConnected) {
      document.getElementById("row-deleted").textContent = chosen.dataset.rowSaid + " deleted.";
      document.querySelector(".editor-wide").focus();
    }
  });
}, true);
