// "Print or save as PDF" buttons: the browser's own print dialog saves a PDF.
document.querySelectorAll("[data-print]").forEach((button) =>
  button.addEventListener("click", () => window.print())
);
