// Drives headless Debian Chromium through the DataGrandEst portal, as a visitor would, and
// prints one JSON report on stdout: each step's outcome, the axe-core violations of each
// audited page, and the screenshots taken. tests/browser/test_browser.py runs it and asserts
// on that report; this script itself never decides whether the suite passes.
//
// usage: node portal.js BASE_URL SCREENSHOT_DIR [scenario|audit]
'use strict';

const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const CHROMIUM = process.env.DGE_CHROMIUM || '/usr/bin/chromium';
const STEP_TIMEOUT = 30000;
// The demo's sample WMS/WFS (demo/ogc.py): another site by design, asked by the browser itself.
const OGC_URL = process.env.DGE_OGC_URL || '';

const [baseUrl, shotDir, mode = 'scenario'] = process.argv.slice(2);
const report = { mode, steps: [], audits: [], screenshots: [], console_errors: [], external_requests: [] };

function step(name, ok, detail) {
  report.steps.push({ name, ok: Boolean(ok), detail: detail === undefined ? '' : String(detail) });
}

async function shoot(page, name) {
  const file = path.join(shotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  report.screenshots.push(file);
}

// Runs fn as a named step; an exception fails that step and the ones that need it.
async function attempt(name, fn) {
  try {
    const detail = await fn();
    step(name, true, detail);
    return true;
  } catch (error) {
    step(name, false, error && error.message ? error.message.split('\n')[0] : error);
    return false;
  }
}

// The territory picker, whatever widget carries it: select2 (CKAN's) or a plain combobox.
async function pickTerritory(page, typed, expected) {
  const field = page.locator('input[name="territory"]').first();
  await field.waitFor({ state: 'attached', timeout: STEP_TIMEOUT });
  const usesSelect2 = await field.evaluate((el) => Boolean(window.jQuery && window.jQuery(el).data('select2')));
  if (usesSelect2) {
    // keyboard only: Tab moves focus until it reaches the territory picker
    let focused = false;
    for (let i = 0; i < 80 && !focused; i += 1) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => {
        const box = document.activeElement && document.activeElement.closest('.select2-container');
        return Boolean(box && box.parentElement.querySelector('input[name="territory"]'));
      });
    }
    if (!focused) throw new Error('Tab never reaches the territory picker');
    await page.keyboard.type(typed, { delay: 40 });
    const option = page.locator('.select2-drop-active .select2-result-selectable', { hasText: expected }).first();
    await option.waitFor({ timeout: STEP_TIMEOUT });
    // the wanted place may not be the first suggestion: move to it with the arrows
    const labels = await page.locator('.select2-drop-active .select2-result-selectable').allTextContents();
    const index = labels.findIndex((label) => label.includes(expected));
    for (let i = 0; i < index; i += 1) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
  } else {
    await field.focus();
    await page.keyboard.type(typed, { delay: 40 });
    const option = page.locator('[role="option"]', { hasText: expected }).first();
    await option.waitFor({ timeout: STEP_TIMEOUT });
    const labels = await page.locator('[role="option"]').allTextContents();
    const index = labels.findIndex((label) => label.includes(expected));
    for (let i = 0; i <= index; i += 1) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
  }
}

async function scenario(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  // offline by design: every request stays on the portal (no tile server, no CDN)
  page.on('request', (request) => {
    const url = request.url();
    if (/^https?:/.test(url) && !url.startsWith(baseUrl) && !(OGC_URL && url.startsWith(OGC_URL))) {
      report.external_requests.push(url);
    }
  });
  page.on('pageerror', (error) => report.console_errors.push(
    `${page.url()}: ${error.message} ${(error.stack || '').split('\n').slice(1, 3).join(' ')}`));

  await attempt('home page is DataGrandEst, in French, without CKAN placeholders', async () => {
    const response = await page.goto(`${baseUrl}/`);
    if (!response || response.status() !== 200) throw new Error(`status ${response && response.status()}`);
    const lang = await page.getAttribute('html', 'lang');
    const text = await page.locator('body').innerText();
    const placeholders = ['Bienvenue sur CKAN', 'Welcome to CKAN', '420 x 220', 'paragraphe d\'introduction', 'section sélectionnée']
      .filter((words) => text.includes(words));
    if (!lang || !lang.startsWith('fr')) throw new Error(`html lang is ${lang}`);
    if (!text.includes('DataGrandEst') && !(await page.title()).includes('DataGrandEst')) throw new Error('no DataGrandEst name');
    if (placeholders.length) throw new Error(`placeholder text: ${placeholders.join(', ')}`);
    await shoot(page, 'home-fr');
    return lang;
  });

  await attempt('search facets read each item with its count, no stray " - " between them', async () => {
    await page.goto(`${baseUrl}/dataset/`);
    const items = (await page.locator('.nav-facet li a').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    if (items.length < 10) throw new Error(`only ${items.length} facet items`);
    const dashed = items.filter((text) => / - \d+$/.test(text));
    if (dashed.length) throw new Error(`${dashed.length} items read like "${dashed[0]}"`);
    await page.goto(`${baseUrl}/`);
    return `${items.length} items, e.g. "${items[0]}"`;
  });

  const searched = await attempt('search by territory from the home page, keyboard only', async () => {
    await pickTerritory(page, 'Bas-Rhin', 'Bas-Rhin');
    const value = await page.locator('input[name="territory"]').first().inputValue();
    if (value !== '67') throw new Error(`picker holds "${value}", not 67`);
    // the form's submit button is the next stop after the picker
    await page.keyboard.press('Tab');
    const onButton = await page.evaluate(() => {
      const el = document.activeElement;
      return Boolean(el && el.matches('button[type="submit"], input[type="submit"], button:not([type])'));
    });
    if (!onButton) throw new Error('Tab after the picker does not reach the search button');
    await Promise.all([page.waitForURL(/territory=67/), page.keyboard.press('Enter')]);
    return page.url();
  });

  let datasetUrl = null;
  if (searched) {
    await attempt('search results list the Bas-Rhin datasets', async () => {
      const link = page.locator('a[href*="/dataset/communes-du-bas-rhin"]').first();
      await link.waitFor();
      await shoot(page, 'search-territory-67');
      datasetUrl = await link.getAttribute('href');
      await Promise.all([page.waitForURL(/\/dataset\/communes-du-bas-rhin/), link.click()]);
      return page.url();
    });
  }
  if (!datasetUrl) await page.goto(`${baseUrl}/dataset/communes-du-bas-rhin`);

  await attempt('dataset page shows a map of its coverage', async () => {
    const map = page.locator('.dge-coverage-map svg, svg.dge-coverage-map').first();
    await map.waitFor();
    const shapes = await map.locator('path, circle, polygon, rect').count();
    if (!shapes) throw new Error('coverage map has no shape');
    return `${shapes} shapes`;
  });

  await attempt('dataset page shows a table preview of the CSV', async () => {
    const frame = await previewFrame(page);
    const cell = frame.locator('table tbody td', { hasText: 'Achenheim' }).first();
    await cell.waitFor();
    await shoot(page, 'dataset-table-preview');
    return await frame.locator('table tbody tr').count() + ' rows shown';
  });

  await attempt('the table preview is usable with the keyboard alone', async () => {
    const frame = await previewFrame(page);
    // focus starts on the page: Tab must lead into the preview's search box
    let inSearch = false;
    await page.locator('body').focus();
    for (let i = 0; i < 120 && !inSearch; i += 1) {
      await page.keyboard.press('Tab');
      inSearch = await frame.evaluate(() => {
        const el = document.activeElement;
        return Boolean(el && el.matches('input[type="search"]'));
      }).catch(() => false);
    }
    if (!inSearch) throw new Error('Tab never reaches the table search box');
    // Strasbourg's INSEE code: one row left
    await page.keyboard.type('67482', { delay: 30 });
    await page.keyboard.press('Enter'); // the DataStore search runs on Enter
    await frame.waitForFunction(() => {
      const rows = Array.from(document.querySelectorAll('table tbody tr'));
      return rows.length === 1 && rows[0].textContent.includes('Strasbourg');
    });
    return 'filtered to Strasbourg';
  });

  await attempt('a GeoJSON resource previews as a map without a tile server', async () => {
    await page.goto(`${baseUrl}/dataset/prefectures-du-grand-est`);
    const link = page.locator('a[href*="/resource/"]', { hasText: 'GeoJSON' }).first();
    await Promise.all([page.waitForURL(/\/resource\//), link.click()]);
    const frame = await previewFrame(page);
    await frame.locator('.leaflet-marker-icon, .leaflet-interactive').first().waitFor();
    const markers = await frame.locator('.leaflet-marker-icon, .leaflet-interactive').count();
    if (markers !== 10) throw new Error(`${markers} features drawn, 10 expected`);
    const notice = await frame.locator('.leaflet-control-no-provider').count();
    if (notice && await frame.locator('.leaflet-control-no-provider').first().isVisible()) {
      throw new Error('map shows the "no map provider" notice');
    }
    await shoot(page, 'dataset-map-preview');
    return `${markers} features`;
  });

  await attempt('the map preview is usable with the keyboard alone', async () => {
    const frame = await previewFrame(page);
    const zoomBefore = await frame.evaluate(() => document.querySelector('.leaflet-proxy') && getComputedStyle(document.querySelector('.leaflet-proxy')).transform);
    let onZoom = false;
    await page.locator('body').focus();
    for (let i = 0; i < 120 && !onZoom; i += 1) {
      await page.keyboard.press('Tab');
      onZoom = await frame.evaluate(() => {
        const el = document.activeElement;
        return Boolean(el && (el.classList.contains('leaflet-control-zoom-in') || el.classList.contains('leaflet-container')));
      }).catch(() => false);
    }
    if (!onZoom) throw new Error('Tab never reaches the map');
    const target = await frame.evaluate(() => document.activeElement.className);
    await page.keyboard.press(target.includes('zoom-in') ? 'Enter' : '+');
    await frame.waitForFunction((before) => {
      const proxy = document.querySelector('.leaflet-proxy');
      return proxy && getComputedStyle(proxy).transform !== before;
    }, zoomBefore);
    return 'zoomed in from the keyboard';
  });

  await attempt('a KML resource previews as a map', async () => {
    await page.goto(`${baseUrl}/dataset/prefectures-du-grand-est`);
    const link = page.locator('a[href*="/resource/"]', { hasText: 'KML' }).first();
    await Promise.all([page.waitForURL(/\/resource\//), link.click()]);
    const frame = await previewFrame(page);
    await frame.locator('.ol-viewport canvas').first().waitFor();
    // the préfectures are drawn
    await featuresDrawn(frame);
    await shoot(page, 'dataset-kml-preview');
    return 'features drawn';
  });

  await attempt('a WMS service previews as a map the browser asks from the service', async () => {
    const maps = [];
    const seen = (response) => {
      if (/REQUEST=GetMap/i.test(response.url())) maps.push(`${response.status()} ${response.headers()['content-type']}`);
    };
    page.on('response', seen);
    try {
      await page.goto(`${baseUrl}/dataset/prefectures-du-grand-est-services-cartographiques`);
      const frame = await previewFrame(page);
      await frame.locator('.ol-viewport canvas').first().waitFor();
      // the map images come from the service (another site: the canvas cannot be read back,
      // so what is judged is what the service sent)
      const deadline = Date.now() + STEP_TIMEOUT;
      while (!maps.length && Date.now() < deadline) await page.waitForTimeout(200);
      await page.waitForLoadState('networkidle');
      if (!maps.length || !maps.every((m) => m.startsWith('200 image/png'))) throw new Error(`GetMap answers: ${maps.join(', ') || 'none'}`);
      const problems = await frame.locator('.dge-map-problem').count();
      if (problems) throw new Error(`the viewer says: ${await frame.locator('.dge-map-problem').innerText()}`);
      const layers = await frame.locator('.layerswitcher, .ol-layerswitcher, .olControlLayerSwitcher').innerText().catch(() => '');
      await shoot(page, 'dataset-wms-preview');
      return `${maps.length} map images${layers ? `; layers: ${layers.replace(/\s+/g, ' ').trim()}` : ''}`;
    } finally {
      page.off('response', seen);
    }
  });

  await attempt('a WFS service previews its features as a map', async () => {
    await page.goto(`${baseUrl}/dataset/prefectures-du-grand-est-services-cartographiques`);
    const link = page.locator('a[href*="/resource/"]', { hasText: 'WFS' }).first();
    const [features] = await Promise.all([
      page.waitForResponse((response) => /REQUEST=GetFeature/i.test(response.url())),
      Promise.all([page.waitForURL(/\/resource\//), link.click()]),
    ]);
    if (features.status() !== 200) throw new Error(`GetFeature answered ${features.status()}`);
    const frame = await previewFrame(page);
    await frame.locator('.ol-viewport canvas').first().waitFor();
    await featuresDrawn(frame);
    if (await frame.locator('.dge-map-problem').count()) throw new Error(await frame.locator('.dge-map-problem').innerText());
    return 'features drawn';
  });

  await attempt('a service that cannot be read says so in French, not a blank map', async () => {
    await page.goto(`${baseUrl}/dataset/service-hors-service`);
    const frame = await previewFrame(page);
    const note = frame.locator('.dge-map-problem');
    await note.waitFor();
    const text = await note.innerText();
    if (!text.startsWith('Pas de carte')) throw new Error(`message: ${text}`);
    await shoot(page, 'dataset-service-problem');
    return text;
  });

  await attempt('switch to English', async () => {
    await page.goto(`${baseUrl}/dataset/communes-du-bas-rhin`);
    // the table preview's frame loads after the page: typing starts once it has settled
    await page.waitForLoadState('networkidle');
    // CKAN's language picker (a select2 in the footer), from the keyboard
    const picker = page.locator('.lang-container .select2-focusser').first();
    if (await picker.count()) {
      await picker.focus();
      await page.keyboard.type('Engl', { delay: 40 });
      await page.locator('.lang-dropdown .select2-result-selectable', { hasText: 'English' }).first().waitFor();
      await Promise.all([page.waitForURL(/\/en\//), page.keyboard.press('Enter')]);
    } else {
      const link = page.locator('a[hreflang="en"], a[lang="en"]').first();
      await Promise.all([page.waitForURL(/\/en\//), link.click()]);
    }
    const lang = await page.getAttribute('html', 'lang');
    if (!lang || !lang.startsWith('en')) throw new Error(`html lang is ${lang}`);
    await shoot(page, 'dataset-en');
    return page.url();
  });

  await context.close();
}

// The resource view of the page: CKAN shows it in an iframe.
async function previewFrame(page) {
  const iframe = page.locator('iframe.resource-view-frame, .resource-view iframe, iframe[src*="/view/"]').first();
  await iframe.waitFor();
  await iframe.scrollIntoViewIfNeeded();
  const handle = await iframe.elementHandle();
  const frame = await handle.contentFrame();
  await frame.waitForLoadState();
  return frame;
}

// Features drawn on the map of a preview: its canvas has painted pixels (no tiles behind them).
async function featuresDrawn(frame) {
  await frame.waitForFunction(() => Array.from(document.querySelectorAll('.ol-viewport canvas')).some((canvas) => {
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted += 1;
    return painted > 50;
  }));
}

const AUDITED = [
  ['home', '/'],
  ['search', '/dataset/?territory=67'],
  ['dataset', '/dataset/communes-du-bas-rhin'],
  ['map-dataset', '/dataset/prefectures-du-grand-est'],
  ['territory', '/territoire/67'],
  ['publisher', '/organization/region-grand-est'],
];

async function audit(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  for (const lang of ['fr', 'en']) {
    for (const [name, route] of AUDITED) {
      const url = `${baseUrl}${lang === 'en' ? '/en' : ''}${route}`;
      const entry = { page: name, lang, url, status: null, violations: [], error: null };
      try {
        const response = await page.goto(url, { waitUntil: 'load' });
        entry.status = response ? response.status() : null;
        await page.waitForLoadState('networkidle'); // scripts that build widgets after load
        // into every frame too: axe then audits the previews' iframes with the page
        for (const frame of page.frames()) await frame.addScriptTag({ content: AXE_SOURCE });
        const result = await page.evaluate(async () => {
          // WCAG 2.1 A and AA, the level RGAA 4 follows
          const options = { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } };
          return await window.axe.run(document, options);
        });
        entry.violations = result.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(' '), summary: (n.failureSummary || '').slice(0, 300) })),
        }));
        await shoot(page, `audit-${name}-${lang}`);
      } catch (error) {
        entry.error = error.message.split('\n')[0];
      }
      report.audits.push(entry);
    }
  }
  await context.close();
}

(async () => {
  fs.mkdirSync(shotDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    // the container runs as root; no GPU on the build machines
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    if (mode === 'audit') await audit(browser);
    else await scenario(browser);
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(report));
})().catch((error) => {
  report.fatal = String(error && error.stack ? error.stack : error);
  process.stdout.write(JSON.stringify(report));
  process.exit(2);
});
