// Reviews a night in report.html as a person would, in Debian's headless Chromium:
// filter to the review receipts, approve the first with the keyboard, correct the next one's
// total and approve it with the button (with a single receipt in review: correct its total and
// approve it), download decisions.csv.
//
//   node tests/browser/review.mjs REPORT_HTML OUT_CSV CORRECTED_TOTAL
//
// Prints {"load_ms":…, "review_rows":…} on stdout. Run by tests/cli/report.rs.
import { chromium } from "playwright-core";
import { pathToFileURL } from "node:url";

const [report, outCsv, total] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  const started = Date.now();
  await page.goto(pathToFileURL(report).href, { waitUntil: "load" });
  await page.waitForSelector("#rows tr");
  const loadMs = Date.now() - started;
  await page.fill("#reviewer", "browser-test");
  await page.dispatchEvent("#reviewer", "change");
  await page.selectOption("#fStatus", "review");
  const rows = await page.locator("#rows tr").count();
  if (rows < 1) throw new Error("the review filter shows no receipt");
  await page.locator("#rows tr").nth(0).click();
  if (rows > 1) await page.keyboard.press("a");
  await page.fill("input[name=total]", total);
  await page.click("#approve");
  const decided = await page.textContent("#decisionCount");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
  await download.saveAs(outCsv);
  if (errors.length) throw new Error("page errors: " + errors.join("; "));
  console.log(JSON.stringify({ load_ms: loadMs, review_rows: rows, decided }));
} finally {
  await browser.close();
}
