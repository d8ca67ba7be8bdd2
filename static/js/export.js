// Follows a batch export: polls its status and shows the progress bar and, when done, the download.
(function () {
  const box = document.getElementById("export-progress");
  if (!box) return;
  const url = box.dataset.statusUrl;
  const show = (sel, text) => { box.querySelector(sel).textContent = text; };
  async function poll() {
    let data;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      data = await response.json();
    } catch (e) {
      setTimeout(poll, 3000);
      return;
    }
    box.querySelector("[data-bar]").value = data.percent;
    show("[data-status]", data.status_display);
    show("[data-done]", data.done);
    show("[data-error]", data.error || "");
    if (data.status === "done") {
      box.querySelector("[data-download]").classList.remove("hidden");
    } else if (data.status !== "failed") {
      setTimeout(poll, 1000);
    }
  }
  poll();
})();
