import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';

// Debian's chromium, driven by playwright-core (which downloads no browser of its own).
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`test/demo-page.test.ts: skipping the browser test, ${CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)`);
}

interface Player {
  id: string;
  name: string;
  score: number;
}

const TOP_TEN = '{ query(table: "players", orderBy: [{ field: "score", direction: DESC }], limit: 10) }';

/** Everything a test starts, closed in reverse order after it. */
const leftovers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of leftovers.splice(0).reverse()) await close();
});

async function startGateway(overrides: Parameters<typeof startTestGateway>[0] = { demo: true }): Promise<{ gw: TestGateway; origin: string }> {
  const gw = await startTestGateway(overrides);
  leftovers.push(() => gw.close());
  return { gw, origin: `http://127.0.0.1:${gw.app.port}` };
}

/** Absolute URLs a page or module would load: src/href attributes, module specifiers, CSS url(). */
function externalReferences(text: string): string[] {
  const patterns = [/\b(?:src|href)\s*=\s*["']([^"']*)["']/gi, /^\s*(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]/gm, /\burl\(\s*['"]?([^'")]+)/gi];
  return patterns.flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[1] ?? '')).filter((ref) => /^(?:[a-z][\w+.-]*:|\/\/)/i.test(ref));
}

describe('the live demo page', () => {
  it('serves the page, its script and the graphql-ws client from this gateway, with a strict CSP and no external references', async () => {
    const { origin } = await startGateway();
    const page = await fetch(`${origin}/demo`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toMatch(/connect-src 'self' ws:/);
    const html = await page.text();
    expect(html).toContain('<body data-graphql-path="/graphql">');

    const bodies = [html];
    for (const path of ['/demo/leaderboard.js', '/demo/vendor/graphql-ws/client.js']) {
      const response = await fetch(`${origin}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toBe('text/javascript; charset=utf-8');
      bodies.push(await response.text());
    }
    expect(bodies[1]).toContain("from './vendor/graphql-ws/client.js'");
    expect(bodies[2]).toContain('function createClient');
    const css = await fetch(`${origin}/demo/leaderboard.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    bodies.push(await css.text());
    // Whatever the client imports is served too (its chunk names change with graphql-ws builds).
    for (const [, chunk] of (bodies[2] ?? '').matchAll(/from '\.\/([\w.-]+\.js)'/g)) {
      const response = await fetch(`${origin}/demo/vendor/graphql-ws/${chunk}`);
      expect(response.status, chunk).toBe(200);
      bodies.push(await response.text());
    }
    expect(bodies.flatMap(externalReferences)).toEqual([]);

    expect((await fetch(`${origin}/demo/vendor/graphql-ws/index.js`)).status).toBe(404); // the client only, not the server
    expect((await fetch(`${origin}/demo/nope`)).status).toBe(404);
    expect((await fetch(`${origin}/demo`, { method: 'POST', body: '' })).status).toBe(405);
  });

  it('is not served when the demo is off', async () => {
    const { origin } = await startGateway({ demo: false });
    expect((await fetch(`${origin}/demo`)).status).toBe(404);
  });

  it.skipIf(!hasChromium)(
    'shows the top ten live in a real browser and reorders when a score changes through the API',
    async () => {
      const { gw, origin } = await startGateway();
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      leftovers.push(() => browser.close());
      const context = await browser.newContext();
      leftovers.push(() => context.close());
      context.setDefaultTimeout(15_000);
      const page = await context.newPage();
      const requested: string[] = [];
      const problems: string[] = [];
      page.on('request', (request) => requested.push(request.url()));
      page.on('websocket', (socket) => requested.push(socket.url()));
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text()); // CSP violations land here
      });

      const rows = page.locator('#leaderboard tbody tr');
      const shown = async () => {
        const [ranks, names, scores] = await Promise.all(['rank', 'name', 'score'].map((cell) => rows.locator(`td.${cell}`).allTextContents()));
        return (names ?? []).map((name, i) => `${ranks?.[i]}. ${name} ${scores?.[i]}`);
      };
      const expected = (players: Player[]) => players.map((player, i) => `${i + 1}. ${player.name} ${player.score}`);

      await page.goto(`${origin}/demo`);
      await page.locator('#status[data-status="live"]').waitFor();
      const before = (await gw.ok<{ query: Player[] }>(TOP_TEN)).query;
      expect(before).toHaveLength(10);
      await rows.nth(9).waitFor();
      expect(await shown()).toEqual(expected(before));

      // A player outside the top ten jumps to first place: it enters at #1 and pushes #10 out.
      const all = (await gw.ok<{ query: Player[] }>('{ query(table: "players", orderBy: [{ field: "score", direction: DESC }]) }')).query;
      const climber = all[all.length - 1] as Player;
      expect(before.map((p) => p.id)).not.toContain(climber.id);
      await gw.ok('mutation Climb($id: ID!, $patch: JSONObject!) { update(table: "players", id: $id, patch: $patch) }', {
        id: climber.id,
        patch: { score: (before[0] as Player).score + 1 },
      });
      const after = (await gw.ok<{ query: Player[] }>(TOP_TEN)).query;
      expect(after[0]?.id).toBe(climber.id);

      await page.locator(`#leaderboard tbody tr:first-child[data-id="${climber.id}"]`).waitFor();
      expect(await shown()).toEqual(expected(after));
      expect(await page.locator('#status').getAttribute('data-status')).toBe('live');

      expect(problems).toEqual([]);
      const wsOrigin = origin.replace(/^http/, 'ws');
      expect(requested.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith(`${wsOrigin}/`))).toEqual([]);
      expect(requested).toContain(`${wsOrigin}/graphql`);
    },
    60_000,
  );
});
