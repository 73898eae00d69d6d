// Drives dist/jixiao.html in Debian's headless Chromium as staff use it, and compares what it
// shows and what it downloads with the command line's answers for the same files.
//
//   node web/tests/page.test.js JIXIAO_BINARY OUT_DIR
//
// Run by scripts/web-test.sh (after scripts/web.sh built the page), which CI calls.
'use strict';
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const root = path.resolve(__dirname, '..', '..');
const page_file = path.join(root, 'dist', 'jixiao.html');
const [jixiao, outDir] = process.argv.slice(2).map((p) => path.resolve(p));
fs.mkdirSync(outDir, { recursive: true });

// Every sample and corpus file, copied into one folder under names that do not collide.
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'jixiao-web-'));
const inputs = path.join(work, 'in');
fs.mkdirSync(inputs);
const names = [];
for (const dir of ['samples', 'tests/corpus']) {
  for (const n of fs.readdirSync(path.join(root, dir)).sort()) {
    if (/\.(md|txt|py)$/.test(n)) continue;
    fs.copyFileSync(path.join(root, dir, n), path.join(inputs, n));
    names.push(n);
  }
}

function cli(args) {
  try {
    return execFileSync(jixiao, args, { cwd: inputs, maxBuffer: 1 << 28 }).toString('utf8');
  } catch (e) {
    if (e.status === 1 || e.status === 2) return e.stdout.toString('utf8');
    throw e;
  }
}

const expectedJson = cli(['check', '--format', 'json', ...names]).trimEnd();
// The outputs `jixiao convert` writes beside the inputs (the summary's link for a file that could
// not be read then names it as the page does: by its name).
const cliOut = path.join(work, 'cli');
fs.cpSync(inputs, cliOut, { recursive: true });
const converted = require('node:child_process').spawnSync(jixiao, ['convert', ...names], { cwd: cliOut });
assert.ok([0, 1, 2].includes(converted.status), String(converted.stderr));
const expectedFiles = fs.readdirSync(cliOut).filter((n) => !names.includes(n)).sort();

const browserArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run'];

async function open(browser, url, init) {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  if (init) await page.addInitScript(init);
  await page.goto(url);
  return { context, page, requests, errors };
}

async function dropFiles(page, paths, expected) {
  await page.setInputFiles('#files', paths);
  await page.waitForFunction((n) => document.querySelectorAll('#results section.file').length >= n
    && window.jixiaoIdle(), expected, { timeout: 600000, polling: 50 });
}

async function save(download) {
  return fs.readFileSync(await download.path());
}

(async () => {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: browserArgs,
    headless: true });
  const figures = {};
  let failures = 0;
  const test = async (name, f) => {
    try {
      await f();
      console.log(`ok   ${name}`);
    } catch (e) {
      failures++;
      console.log(`FAIL ${name}\n${e.stack || e}`);
    }
  };
  const url = 'file://' + page_file;

  await test('every sample and corpus file: the JSON, the table and every download equal the CLI\'s', async () => {
    const { page, requests, errors } = await open(browser, url);
    await dropFiles(page, names.map((n) => path.join(inputs, n)), names.length);
    assert.deepEqual(errors, []);
    // The JSON Lines, byte for byte.
    const json = await page.evaluate(() => window.jixiaoJsonLines());
    if (json !== expectedJson) {
      fs.writeFileSync(path.join(outDir, 'page.jsonl'), json + '\n');
      fs.writeFileSync(path.join(outDir, 'cli.jsonl'), expectedJson + '\n');
    }
    assert.ok(json === expectedJson, `the JSON differs: diff ${outDir}/page.jsonl ${outDir}/cli.jsonl`);
    // What the table shows: each finding's level, code and place, in order, per file.
    const shown = await page.$$eval('#results section.file', (secs) => secs.map((s) => ({
      name: s.querySelector('.name').textContent,
      status: (s.querySelector('.status') || {}).textContent,
      rows: Array.from(s.querySelectorAll('tr[data-level]')).map((tr) =>
        Array.from(tr.children).map((td) => td.textContent).join('|')),
      reason: Array.from(s.querySelectorAll('.reason')).map((r) => r.textContent).join(' '),
    })));
    const lines = expectedJson.split('\n').map((l) => JSON.parse(l));
    const level = { error: '错误', warning: '警告', info: '提示' };
    for (const sec of shown) {
      const own = lines.filter((l) => l.file === sec.name);
      assert.ok(own.length > 0, `no CLI line for ${sec.name}`);
      const want = own.filter((l) => l.sheet).flatMap((l) => l.findings.map((f) =>
        [level[f.severity], f.code, f.cell ? `${f.sheet ? f.sheet + '!' : ''}${f.cell}` : (f.sheet || ''),
          f.message, f.hint || ''].join('|')));
      assert.deepEqual(sec.rows, want, sec.name);
      // A file that cannot be read shows its one-line reason.
      for (const l of own.filter((l) => !l.sheet)) {
        assert.ok(sec.reason.includes(l.findings[0].message), `${sec.name}: ${sec.reason}`);
      }
    }
    // Every output, downloaded by its button, equals what `jixiao convert` wrote.
    const buttons = await page.$$('button[data-output]');
    const got = [];
    for (const b of buttons) {
      const name = await b.getAttribute('data-output');
      const [download] = await Promise.all([page.waitForEvent('download'), b.click()]);
      assert.equal(download.suggestedFilename(), name);
      assert.ok((await save(download)).equals(fs.readFileSync(path.join(cliOut, name))), name);
      got.push(name);
    }
    assert.deepEqual(got.sort(), expectedFiles.filter((n) => n !== '汇总.xlsx'));
    // The zip holds every output and the summary, each equal to the CLI's.
    const [zip] = await Promise.all([page.waitForEvent('download'), page.click('#bundle')]);
    const zipPath = path.join(work, 'all.zip');
    fs.writeFileSync(zipPath, await save(zip));
    const members = JSON.parse(execFileSync('python3', ['-c', `
import json, sys, zipfile, hashlib
z = zipfile.ZipFile(sys.argv[1])
print(json.dumps({i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist()}))`, zipPath]));
    const crypto = require('node:crypto');
    const want = {};
    for (const n of expectedFiles) {
      want[n] = crypto.createHash('sha256').update(fs.readFileSync(path.join(cliOut, n))).digest('hex');
    }
    assert.deepEqual(members, want);
    // Filters hide and show a level's rows.
    const visible = () => page.$$eval('#results tr[data-level="warning"]:not(.hidden)', (r) => r.length);
    const before = await visible();
    assert.ok(before > 0);
    await page.click('#filters input[data-level="warning"]');
    assert.equal(await visible(), 0);
    await page.click('#filters input[data-level="warning"]');
    assert.equal(await visible(), before);
    // Nothing was asked of any address: only the page itself, and blobs it made.
    const outside = requests.filter((u) => !u.startsWith('file://') && !u.startsWith('blob:') && !u.startsWith('data:'));
    assert.deepEqual(outside, []);
    await page.setViewportSize({ width: 1360, height: 1000 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(outDir, 'page.png') });
  });

  await test('time to the first result for one form, and for 100 forms', async () => {
    const seed = path.join(root, 'samples', 'seed-2022.xlsx');
    let t0 = Date.now();
    const one = await open(browser, url);
    await dropFiles(one.page, [seed], 1);
    figures.first_result_ms = Date.now() - t0;
    const many = path.join(work, 'many');
    fs.mkdirSync(many);
    const paths = [];
    for (let i = 0; i < 100; i++) {
      const p = path.join(many, `单位${String(i).padStart(3, '0')}.xlsx`);
      fs.copyFileSync(seed, p);
      paths.push(p);
    }
    const { page } = await open(browser, url);
    await page.waitForTimeout(500);
    t0 = Date.now();
    // The page answers while it works: a click on a filter is handled mid-batch.
    await page.setInputFiles('#files', paths);
    await page.waitForFunction(() => document.querySelectorAll('#results section.file').length >= 5);
    const t1 = Date.now();
    await page.click('#filters input[data-level="info"]');
    figures.click_during_batch_ms = Date.now() - t1;
    const progress = await page.$eval('#progress', (p) => getComputedStyle(p).display);
    assert.equal(progress, 'flex', 'progress is shown while a batch runs');
    await page.waitForFunction(() => document.querySelectorAll('#results section.file').length >= 100
      && window.jixiaoIdle(), null, { timeout: 600000, polling: 100 });
    figures.hundred_forms_ms = Date.now() - t0;
    const [zip] = await Promise.all([page.waitForEvent('download'), page.click('#bundle')]);
    figures.hundred_forms_zip_bytes = (await save(zip)).length;
  });

  await test('the blank template of every edition downloads as `jixiao template` writes it', async () => {
    const { page, requests } = await open(browser, url);
    await page.waitForSelector('#blank:not(.hidden)');
    const ids = await page.$$eval('#edition option', (os) => os.map((o) => o.value));
    assert.deepEqual(ids, ['2022', 'hunan', 'hubei', 'shaanxi']);
    const tdir = path.join(work, 'templates');
    for (const id of ids) {
      execFileSync(jixiao, ['template', '--edition', id, '-o', tdir + path.sep]);
      await page.selectOption('#edition', id);
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#template')]);
      const name = `${id}申报表模板.xlsx`;
      assert.equal(download.suggestedFilename(), name);
      assert.ok((await save(download)).equals(fs.readFileSync(path.join(tdir, name))), name);
    }
    const outside = requests.filter((u) => !u.startsWith('file://') && !u.startsWith('blob:') && !u.startsWith('data:'));
    assert.deepEqual(outside, []);
  });

  await test('served by a static server on localhost it works the same', async () => {
    const server = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      fs.createReadStream(page_file).pipe(res);
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const served = `http://127.0.0.1:${server.address().port}/jixiao.html`;
    const { page, requests } = await open(browser, served);
    await dropFiles(page, [path.join(inputs, 'seed-2022.xlsx')], 1);
    const json = await page.evaluate(() => window.jixiaoJsonLines());
    assert.equal(json, cli(['check', '--format', 'json', 'seed-2022.xlsx']).trimEnd());
    const outside = requests.filter((u) => u !== served && !u.startsWith('blob:') && !u.startsWith('data:'));
    assert.deepEqual(outside, []);
    server.close();
  });

  await test('a browser without WebAssembly says so in Chinese', async () => {
    const { page } = await open(browser, url, () => { delete window.WebAssembly; });
    const text = await page.textContent('#fatal');
    assert.match(text, /不支持 WebAssembly/);
    assert.equal(await page.$eval('#fatal', (e) => e.classList.contains('hidden')), false);
  });

  await browser.close();
  figures.page_bytes = fs.statSync(page_file).size;
  figures.page_gzip_bytes = require('node:zlib').gzipSync(fs.readFileSync(page_file), { level: 9 }).length;
  console.log(JSON.stringify(figures));
  fs.writeFileSync(path.join(outDir, 'figures.json'), JSON.stringify(figures, null, 1) + '\n');
  fs.rmSync(work, { recursive: true, force: true });
  process.exit(failures ? 1 : 0);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
