// Opens an HTML report in headless Chromium (playwright-core driving Debian's
// chromium) as a laptop and as a phone, and fails when the page logs a
// console error, makes any request other than the file itself (data: URIs
// are fine), needs a script to show its content, overflows a phone screen
// sideways, cannot be printed, or renders blank. Saves a full-page
// screenshot of each view and the printed PDF next to SCREENSHOT.
//
//   NODE_PATH=.../node_modules node check_report.cjs REPORT.html SCREENSHOT.png

const { chromium } = require("playwright-core");
const path = require("path");
const fs = require("fs");

const [report, screenshot] = process.argv.slice(2);
if (!report || !screenshot) {
  console.error("usage: check_report.cjs REPORT.html SCREENSHOT.png");
  process.exit(2);
}
const url = "file://" + path.resolve(report);
const problems = [];
const deadline = setTimeout(() => {
  console.error("browser: timed out after 240 s");
  process.exit(1);
}, 240000);

/** Counts colours in a PNG by drawing it on a canvas in a blank page. */
async function colours(browser, png) {
  const page = await browser.newPage();
  await page.setContent("<canvas></canvas>");
  const result = await page.evaluate(async (data) => {
    const img = new Image();
    img.src = "data:image/png;base64," + data;
    await img.decode();
    const canvas = document.querySelector("canvas");
    canvas.width = img.width;
    canvas.height = img.height;
    const ctx = canvas.getContext("2d");
    ctx.drawImage(img, 0, 0);
    const pixels = ctx.getImageData(0, 0, img.width, img.height).data;
    const counts = new Map();
    for (let i = 0; i < pixels.length; i += 4 * 7) {
      const key = (pixels[i] >> 3) * 1024 + (pixels[i + 1] >> 3) * 32 + (pixels[i + 2] >> 3);
      counts.set(key, (counts.get(key) || 0) + 1);
    }
    const total = pixels.length / (4 * 7);
    const top = Math.max(...counts.values());
    return { distinct: counts.size, dominant: top / total, width: img.width, height: img.height };
  }, png.toString("base64"));
  await page.close();
  return result;
}

async function view(browser, name, options, file) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`${name}: console error: ${msg.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`${name}: page error: ${error.message}`));
  page.on("request", (request) => {
    const u = request.url();
    if (u !== url && !u.startsWith("data:")) problems.push(`${name}: request to ${u}`);
  });
  await context.route(/^(https?|wss?|ftp):/, (route) => route.abort());
  await page.goto(url, { waitUntil: "load", timeout: 60000 });
  const facts = await page.evaluate(() => ({
    text: document.body ? document.body.innerText.length : 0,
    clusters: document.querySelectorAll("[id^=cluster-]").length,
    svgs: document.querySelectorAll("svg").length,
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    height: document.documentElement.scrollHeight,
  })).catch(() => null);
  // The whole page, or its top 12,000 px: a tall viewport, which is much
  // quicker than a clipped full-page capture of a long report.
  const height = Math.min(facts ? facts.height : options.viewport.height, 12000);
  await page.setViewportSize({ width: options.viewport.width, height });
  const shot = await page.screenshot({ path: file, timeout: 120000 });
  const pdf = name === "laptop" ? await page.pdf({ format: "A4", printBackground: true }).catch((e) => {
    problems.push(`${name}: cannot print: ${e.message}`);
    return null;
  }) : null;
  await context.close();
  return { facts, shot, pdf };
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    timeout: 60000,
  });
  try {
    const base = screenshot.replace(/\.png$/, "");
    // No script needed: the laptop view runs with JavaScript off.
    const noScript = await view(browser, "laptop (no script)", { viewport: { width: 1280, height: 900 }, javaScriptEnabled: false }, screenshot);
    const laptop = await view(browser, "laptop", { viewport: { width: 1280, height: 900 } }, `${base}-laptop.png`);
    const phone = await view(browser, "phone", { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }, `${base}-phone.png`);
    fs.unlinkSync(`${base}-laptop.png`);
    if (laptop.pdf) fs.writeFileSync(`${base}.pdf`, laptop.pdf);

    for (const [name, v] of [["laptop (no script)", noScript], ["phone", phone]]) {
      const c = await colours(browser, v.shot);
      if (c.distinct < 8 || c.dominant > 0.995) problems.push(`${name}: the page renders blank (${c.distinct} colours, ${(c.dominant * 100).toFixed(1)} % one colour)`);
      console.log(`browser: ${name}: ${c.width}x${c.height} px screenshot, ${c.distinct} colours, ${(c.dominant * 100).toFixed(1)} % background`);
    }
    const f = laptop.facts;
    if (!f || f.text < 200) problems.push(`laptop: hardly any text (${f && f.text} characters)`);
    if (f && f.svgs < 1) problems.push("laptop: no pictures");
    if (f && f.clusters < 1) problems.push("laptop: no cluster sections");
    if (phone.facts && phone.facts.overflow > 1) problems.push(`phone: the page is ${phone.facts.overflow} px wider than the screen`);
    if (laptop.pdf && laptop.pdf.length < 10000) problems.push(`print: the PDF has only ${laptop.pdf.length} bytes`);
    console.log(`browser: laptop ${f && f.text} characters of text, ${f && f.svgs} pictures, ${f && f.clusters} cluster anchors, page ${f && f.height} px high; phone overflow ${phone.facts && phone.facts.overflow} px; PDF ${laptop.pdf ? laptop.pdf.length : 0} bytes`);
  } finally {
    await browser.close();
  }
  clearTimeout(deadline);
  if (problems.length) {
    for (const p of problems) console.error(`browser: ${p}`);
    process.exit(1);
  }
  console.log(`browser: ${report}: no console errors, no requests, not blank; screenshots ${screenshot}, ${screenshot.replace(/\.png$/, "")}-phone.png`);
})().catch((e) => {
  console.error(`browser: ${e.stack || e}`);
  process.exit(1);
});
