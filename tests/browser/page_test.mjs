// The web page of `unspin serve` and the report of `unspin check --html`, in
// headless Chromium (Debian's, driven by playwright-core): what the page
// highlights must be what the API answers for the same text. Registered in
// CTest (label "browser"); screenshots go to $UNSPIN_TEST_OUTPUT.
//
// Environment: UNSPIN_BINARY, UNSPIN_MODEL, UNSPIN_SOURCE_DIR, UNSPIN_TEST_OUTPUT,
// and CHROMIUM (default /usr/bin/chromium).
import assert from "node:assert/strict";
import {execFileSync, spawn} from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import {createRequire} from "node:module";

const require = createRequire(import.meta.url);
let chromium;
try {
  ({chromium} = require("playwright-core"));
} catch {
  console.error("playwright-core is not installed: run scripts/setup (npm ci in tests/browser)");
  process.exit(1);
}

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (the test runs from CTest)`);
  return value;
};
const binary = env("UNSPIN_BINARY");
const model = env("UNSPIN_MODEL");
const sourceDir = env("UNSPIN_SOURCE_DIR");
const outputDir = env("UNSPIN_TEST_OUTPUT");
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";
fs.mkdirSync(outputDir, {recursive: true});

const specimenPath = path.join(sourceDir, "tests/data/specimen/spun-water-talks.txt");
const specimen = fs.readFileSync(specimenPath, "utf8");

// A real `unspin serve` on a free loopback port; resolves to {port, stop}.
function startServer(extraArgs = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ["serve", "--port", "0", "--model", model, "--quiet", ...extraArgs],
                        {stdio: ["ignore", "ignore", "pipe"]});
    let log = "";
    const timer = setTimeout(() => { child.kill("SIGKILL"); reject(new Error("no port in 60 s: " + log)); },
                             60000);
    child.stderr.on("data", (chunk) => {
      log += chunk;
      const match = /serving on http:\/\/127\.0\.0\.1:(\d+)\//.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve({
          port: Number(match[1]),
          stop: () => new Promise((done) => { child.on("exit", done); child.kill("SIGTERM"); }),
        });
      }
    });
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`serve exited ${code}: ${log}`)); });
  });
}

// Runs body(port) against a server started for it, and stops the server after.
async function withServer(extraArgs, body) {
  const server = await startServer(extraArgs);
  try {
    await body(server.port);
  } finally {
    await server.stop();
  }
}

async function post(port, route, body) {
  const response = await fetch(`http://127.0.0.1:${port}${route}`, {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
  assert.equal(response.status, 200, `${route}: ${response.status}`);
  return response.json();
}

// The marks of the document view, as the page shows them.
function marksOf(page, selector = "#document mark.span") {
  return page.$$eval(selector, (marks) => marks.map((mark) => ({
    start: Number(mark.dataset.start), end: Number(mark.dataset.end), text: mark.textContent,
    flagged: mark.classList.contains("flagged"), restored: mark.classList.contains("restored")})));
}

// The page's spans are the API's: as many, at the same offsets, with the same
// words (the page cuts UTF-8 byte ranges out of the text), flagged alike.
function expectSameSpans(shown, spans, what) {
  assert.ok(spans.length > 0, `${what}: the API found no span, nothing to compare`);
  assert.equal(shown.length, spans.length, `${what}: span count`);
  spans.forEach((span, i) => {
    assert.equal(shown[i].start, span.start, `${what}: span ${i} start`);
    assert.equal(shown[i].end, span.end, `${what}: span ${i} end`);
    assert.equal(shown[i].text, span.text, `${what}: span ${i} text`);
    assert.equal(shown[i].flagged, !span.restored, `${what}: span ${i} flagged`);
  });
}

// Layout shifts from now on, all of them (the page's own loading, not only
// those long after an input).
async function watchLayoutShifts(page) {
  await page.evaluate(() => {
    window.layoutShift = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.layoutShift += entry.value;
    }).observe({type: "layout-shift", buffered: false});
  });
}

// The shifts so far, once the observer has been told of the last frames.
async function layoutShiftSoFar(page) {
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 200))));
  return page.evaluate(() => window.layoutShift);
}

// Pastes `text`, checks it, waits for `ready` and for the page to be done;
// nothing on the page may move meanwhile.
async function checkInPage(page, text, ready) {
  await watchLayoutShifts(page);
  await page.fill("#text", text);
  await page.click("#check");
  await page.waitForSelector(ready);
  await page.waitForSelector('#output[aria-busy="false"]');
  const shift = await layoutShiftSoFar(page);
  assert.ok(shift < 0.01, `layout shift ${shift} while the result loaded`);
}

const tests = [];
const test = (name, body) => tests.push({name, body});

test("the page highlights the API's spans of the specimen", async (browser) => {
  await withServer([], async (port) => {
    const api = await post(port, "/v1/check", {text: specimen});
    const page = await browser.newPage({viewport: {width: 1200, height: 900}});
    await page.goto(`http://127.0.0.1:${port}/`);
    await checkInPage(page, specimen, "#document mark.span");

    expectSameSpans(await marksOf(page), api.spans, "page");
    assert.equal(await page.textContent("#document"), specimen, "the view shows the whole text");
    const debris = await page.$$eval("#document .debris", (nodes) => nodes.map((n) => n.textContent));
    const bytes = Buffer.from(specimen, "utf8");
    assert.deepEqual(debris, api.debris.map((d) => bytes.subarray(d.start, d.end).toString("utf8")),
                     "page debris greyed, line by line");
    assert.match(await page.textContent("#verdict"), /spun probability/);

    // Keyboard: Tab from the Check button reaches the first span (after
    // the restored-text switch), and its tip names the likely original.
    await page.focus("#show-restored");
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => document.activeElement.dataset.index);
    assert.equal(focused, "0", "Tab reaches the first span");
    assert.equal(await page.isVisible("#tip"), true, "the tip shows on focus");
    const tip = await page.textContent("#tip");
    assert.ok(tip.includes(api.spans[0].original || "delete"), `tip: ${tip}`);
    for (const alternative of api.spans[0].alternatives) assert.ok(tip.includes(alternative), tip);
    await page.keyboard.press("Escape");
    assert.equal(await page.isVisible("#tip"), false, "Escape hides the tip");
    await page.screenshot({path: path.join(outputDir, "page-specimen.png"), fullPage: true});

    // The restored text, then back.
    await page.check("#show-restored");
    assert.equal(await page.textContent("#document"), api.restored, "the restored view is the API's");
    await page.screenshot({path: path.join(outputDir, "page-specimen-restored.png"), fullPage: true});
    await page.uncheck("#show-restored");
    assert.equal(await page.textContent("#document"), specimen);

    // A phone: no sideways scrolling, the spans still there.
    await page.setViewportSize({width: 390, height: 844});
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth -
                                               document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px on a phone`);
    await page.screenshot({path: path.join(outputDir, "page-specimen-phone.png")});
    await page.close();
  });
});

test("a tap on a phone, or the mouse on a desktop, shows a span's tip", async (browser) => {
  await withServer([], async (port) => {
    const api = await post(port, "/v1/check", {text: specimen});
    const expectTip = async (page, how) => {
      assert.equal(await page.isVisible("#tip"), true, `the tip shows on ${how}`);
      const tip = await page.textContent("#tip");
      assert.ok(tip.includes(api.spans[0].original || "delete"), `tip on ${how}: ${tip}`);
    };
    const phone = await browser.newPage({viewport: {width: 390, height: 844}, hasTouch: true,
                                         isMobile: true});
    await phone.goto(`http://127.0.0.1:${port}/`);
    await checkInPage(phone, specimen, "#document mark.span");
    await phone.tap("#document mark.span >> nth=0");
    await phone.waitForTimeout(300);  // what a touch browser sends after the tap
    await expectTip(phone, "a tap");
    const tipBox = await phone.locator("#tip").boundingBox();
    assert.ok(tipBox.y >= 0 && tipBox.y + tipBox.height <= 844,
              `the tip lies inside the screen: ${JSON.stringify(tipBox)}`);
    await phone.screenshot({path: path.join(outputDir, "page-phone-tap.png")});
    await phone.close();

    const desktop = await browser.newPage({viewport: {width: 1200, height: 900}});
    await desktop.goto(`http://127.0.0.1:${port}/`);
    await checkInPage(desktop, specimen, "#document mark.span");
    await desktop.hover("#document mark.span >> nth=0");
    await expectTip(desktop, "hover");
    await desktop.mouse.move(0, 0);
    assert.equal(await desktop.isVisible("#tip"), false, "the tip hides when the mouse leaves");
    await desktop.close();
  });
});

test("an uploaded HTML page: spans in place, debris greyed", async (browser) => {
  await withServer([], async (port) => {
    const pagePath = path.join(sourceDir, "tests/data/pages/farm-br.html");
    const html = fs.readFileSync(pagePath, "utf8");
    const api = await post(port, "/v1/check", {html});
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.setInputFiles("#file", pagePath);
    await page.waitForFunction(() => document.getElementById("text").value.length > 0);
    assert.equal(await page.inputValue("#format"), "html");
    await page.click("#check");
    await page.waitForSelector('#output[aria-busy="false"]');
    await page.waitForSelector("#document .debris");
    const shown = await marksOf(page);
    assert.equal(shown.length, api.spans.length, "span count");
    shown.forEach((mark, i) => assert.equal(mark.text, api.spans[i].text, `span ${i} text`));
    assert.equal(await page.textContent("#document"), api.page.text, "the page's text, all of it");
    const debrisLines = api.page.lines.filter((line) => line.article_start === undefined).length;
    assert.ok(debrisLines > 0, "the fixture has debris");
    assert.equal((await page.$$("#document .debris")).length, debrisLines);
    await page.screenshot({path: path.join(outputDir, "page-html.png"), fullPage: true});
    await page.close();
  });
});

test("with an index: the source beside the text, substitutions linked", async (browser) => {
  const index = path.join(outputDir, "browser-index");
  fs.rmSync(index, {recursive: true, force: true});
  const original = path.join(sourceDir, "examples/harbor-original.txt");
  execFileSync(binary, ["index", "build", "--out", index, "--model", model, original], {stdio: "ignore"});
  await withServer(["--index", index], async (port) => {
    const spun = fs.readFileSync(path.join(sourceDir, "examples/harbor-spun.txt"), "utf8");
    const found = await post(port, "/v1/find", {text: spun, k: 3});
    assert.equal(found.matches[0].id, original);
    const substitutions = found.matches[0].alignment.flatMap((block) => block.substitutions);
    const page = await browser.newPage({viewport: {width: 1200, height: 900}});
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForSelector("#sources:not([hidden])");
    await checkInPage(page, spun, "#source-view a.sub");
    const left = await page.$$eval("#query-view a.sub", (links) => links.map((a) => a.textContent));
    const right = await page.$$eval("#source-view a.sub", (links) => links.map((a) => a.textContent));
    assert.deepEqual(left, substitutions.map((s) => s.query_text));
    assert.deepEqual(right, substitutions.map((s) => s.source_text));
    assert.equal(await page.textContent("#source-view"), fs.readFileSync(original, "utf8"));
    // Focusing a changed wording lights up its counterpart; following the link focuses it.
    await page.focus("#query-view a.sub");
    const target = (await page.getAttribute("#query-view a.sub", "href")).slice(1);
    const linked = await page.$$eval("#source-view a.sub.linked", (links) => links.map((a) => a.id));
    assert.deepEqual(linked, [target], "the counterpart, and only it, is marked");
    await page.keyboard.press("Enter");
    const focusedId = await page.evaluate(() => document.activeElement.id);
    assert.equal(focusedId, target, "following the link focuses the counterpart");
    await page.screenshot({path: path.join(outputDir, "page-sources.png"), fullPage: true});
    await page.close();
  });
});

test("check --html opens without a server and shows the same spans", async (browser) => {
  const report = path.join(outputDir, "report-specimen.html");
  const json = JSON.parse(execFileSync(binary, ["check", "--json", "--html", report, "--model", model,
                                                specimenPath], {encoding: "utf8"}));
  const page = await browser.newPage();
  const requests = [];
  page.on("request", (request) => requests.push(request.url()));
  await page.goto("file://" + report);
  await page.waitForSelector("#document mark.span");
  expectSameSpans(await marksOf(page), json.spans, "report");
  assert.equal(await page.textContent("#document"), specimen);
  assert.equal(await page.isVisible("#text"), false, "a report asks for no text");
  await page.check("#show-restored");
  assert.equal(await page.textContent("#document"), json.restored);
  assert.deepEqual(requests, ["file://" + report], "the report fetched nothing");
  await page.screenshot({path: path.join(outputDir, "report-specimen.png"), fullPage: true});
  await page.close();
});

const browser = await chromium.launch({executablePath: chromiumPath, args: ["--no-sandbox"]});
let passed = 0;
let failed = 0;
for (const {name, body} of tests) {
  try {
    await body(browser);
    ++passed;
    console.log(`ok: ${name}`);
  } catch (error) {
    ++failed;
    console.log(`FAILED: ${name}\n${error.stack}`);
  }
}
await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
