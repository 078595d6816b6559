// Opens an HTML report in headless Chromium (playwright-core driving Debian's
// chromium) as a laptop and as a phone, and fails when the page logs a
// console error, makes any request other than the file itself (data: URIs
// are fine), needs a script to show its content, overflows a phone screen
// sideways, cannot be printed, or renders blank; and when the reading text
// shows an article id (16 hex digits) or a measure name outside the method
// section, when map labels overlap each other or cover an article's dot (as
// the browser lays the text out), or when a per-quarter bar has no title.
// Saves a full-page screenshot of each view, of the map and of the first
// cluster card, and the printed PDF next to SCREENSHOT.
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
  const facts = await page.evaluate(() => {
    function readability() {
      // The reading text: everything but the method section and tooltips.
      const main = document.querySelector("main");
      const clone = main ? main.cloneNode(true) : document.createElement("main");
      for (const m of clone.querySelectorAll("#method, title")) m.remove();
      const text = clone.textContent;
      const ids = (text.match(/\b[0-9a-f]{16}\b/g) || []).length;
      const measures = (text.match(/betweenness|PageRank/g) || []).length;
      // Map labels against each other and against the dots, in SVG units.
      const svg = document.querySelector("svg.map");
      let overlaps = 0, covered = 0, labels = 0;
      if (svg) {
        const boxes = [...svg.querySelectorAll("text.label")].map((t) => t.getBBox());
        labels = boxes.length;
        const dots = [...svg.querySelectorAll("circle")].map((c) => [c.cx.baseVal.value, c.cy.baseVal.value, c.r.baseVal.value]);
        for (let i = 0; i < boxes.length; i++) {
          const a = boxes[i];
          for (let j = i + 1; j < boxes.length; j++) {
            const b = boxes[j];
            if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height) overlaps++;
          }
          for (const [cx, cy, r] of dots) {
            const nx = Math.min(Math.max(cx, a.x), a.x + a.width), ny = Math.min(Math.max(cy, a.y), a.y + a.height);
            if ((cx - nx) ** 2 + (cy - ny) ** 2 < r * r) covered++;
          }
        }
      }
      const bars = [...document.querySelectorAll("svg.qchart rect")];
      const untitled = bars.filter((b) => !b.querySelector("title")).length;
      return { ids, measures, labels, overlaps, covered, bars: bars.length, untitled };
    }
    return ({
    text: document.body ? document.body.innerText.length : 0,
    clusters: document.querySelectorAll("[id^=cluster-]").length,
    svgs: document.querySelectorAll("svg").length,
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    height: document.documentElement.scrollHeight,
    ...readability(),
  }); }).catch((e) => { problems.push(`${name}: cannot inspect the page: ${e.message}`); return null; });
  // The whole page, or its top 12,000 px: a tall viewport, which is much
  // quicker than a clipped full-page capture of a long report.
  const height = Math.min(facts ? facts.height : options.viewport.height, 12000);
  await page.setViewportSize({ width: options.viewport.width, height });
  const shot = await page.screenshot({ path: file, timeout: 120000 });
  const base = file.replace(/\.png$/, "");
  for (const [selector, suffix] of [["#map", "map"], ["article.cluster", "cluster"]]) {
    const element = await page.$(selector);
    if (element) await element.screenshot({ path: `${base}-${suffix}.png`, timeout: 60000 }).catch(() => {});
  }
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
    for (const suffix of ["", "-map", "-cluster"]) {
      if (fs.existsSync(`${base}-laptop${suffix}.png`)) fs.unlinkSync(`${base}-laptop${suffix}.png`);
    }
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
    for (const [name, v] of [["laptop", laptop.facts], ["phone", phone.facts]]) {
      if (!v) continue;
      if (v.ids > 0) problems.push(`${name}: the reading text shows ${v.ids} article id(s)`);
      if (v.measures > 0) problems.push(`${name}: the reading text names a measure (betweenness, PageRank) ${v.measures} time(s) outside the method section`);
      if (v.overlaps > 0) problems.push(`${name}: ${v.overlaps} pair(s) of map labels overlap`);
      if (v.covered > 0) problems.push(`${name}: map labels cover ${v.covered} article dot(s)`);
      if (v.untitled > 0) problems.push(`${name}: ${v.untitled} per-quarter bar(s) without a title`);
    }
    if (laptop.pdf && laptop.pdf.length < 10000) problems.push(`print: the PDF has only ${laptop.pdf.length} bytes`);
    console.log(`browser: ${f && f.labels} map labels (${f && f.overlaps} overlapping, ${f && f.covered} dots covered), ${f && f.bars} quarter bars (${f && f.untitled} untitled), ${f && f.ids} ids and ${f && f.measures} measure names in the reading text`);
    console.log(`browser: laptop ${f && f.text} characters of text, ${f && f.svgs} pictures, ${f && f.clusters} cluster anchors, page ${f && f.height} px high; phone overflow ${phone.facts && phone.facts.overflow} px; PDF ${laptop.pdf ? laptop.pdf.length : 0} bytes`);
  } finally {
    await browser.close();
  }
  clearTimeout(deadline);
  if (problems.length) {
    for (const p of problems) console.error(`browser: ${p}`);
    process.exit(1);
  }
  console.log(`browser: ${report}: no console errors, no requests, not blank; screenshots ${screenshot}, ${screenshot.replace(/\.png$/, "")}-phone.png, -map.png, -cluster.png`);
})().catch((e) => {
  console.error(`browser: ${e.stack || e}`);
  process.exit(1);
});
