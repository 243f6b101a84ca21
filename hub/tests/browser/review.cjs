// Drives Debian's headless Chromium through the hub's review pages, as a supervisor would: sign in with a
// one-time code, open the queue, open the visit, return it with comments, switch to English. Run by
// hub/tests/browser.rs, which starts the hub with a synced visit and checks afterwards that the decision reached
// the officer's phone. Saves a PNG per page in SHOTS. Exits non-zero (with the reason) on any failure.
'use strict';
const { chromium } = require('playwright-core');
const path = require('path');

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`missing environment variable ${name}`);
  return v;
};

async function main() {
  const hub = env('HUB_URL');
  const code = env('SIGN_IN_CODE');
  const visit = env('VISIT_ID');
  const shots = env('SHOTS');
  const browser = await chromium.launch({
    executablePath: env('CHROMIUM'),
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  const results = {};
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    const shot = async (name) => {
      await page.screenshot({ path: path.join(shots, name), fullPage: true });
    };
    const expect = (cond, what) => {
      if (!cond) throw new Error(`expected: ${what} (at ${page.url()})`);
    };

    // 1. Any page leads to the sign-in page.
    await page.goto(`${hub}/web/queue`);
    expect(page.url().includes('/web/sign-in'), 'redirected to sign-in');
    expect((await page.textContent('h1')).includes('Đăng nhập'), 'the sign-in page is in Vietnamese');
    await shot('01-sign-in.png');

    // 2. Sign in; the queue lists the visit as pending.
    await page.fill('input[name=code]', code.toLowerCase());
    await Promise.all([page.waitForNavigation(), page.click('form[action="/web/sign-in"] button')]);
    expect(page.url().endsWith('/web/queue'), 'the queue after signing in');
    const link = page.locator(`a[href="/web/record/${visit}"]`);
    expect((await link.count()) === 1, 'the visit is in the queue');
    const row = link.locator('xpath=ancestor::tr');
    expect((await row.locator('td.state').textContent()).includes('Chờ duyệt'), 'the visit is pending');
    await shot('02-queue.png');

    // 3. The visit: answers, a loaded photo, the map with two fixes and the producer, the history.
    await Promise.all([page.waitForNavigation(), link.click()]);
    expect((await page.locator('#answers tr').count()) > 5, 'answers are listed');
    // Photos load lazily: bring the first into view, as a reader scrolling down would.
    await page.locator('img.ph').first().scrollIntoViewIfNeeded();
    await page.waitForFunction(() => {
      const img = document.querySelector('img.ph');
      return img && img.complete && img.naturalWidth > 0;
    });
    expect((await page.locator('#map circle.fix').count()) === 2, 'two GPS fixes on the map');
    expect((await page.locator('#map rect.producer').count()) === 1, "the producer's point on the map");
    expect((await page.locator('#history tr').count()) >= 2, 'the history is listed');
    results.photoWidth = await page.evaluate(() => document.querySelector('img.ph').naturalWidth);
    await shot('03-visit.png');

    // 4. Return it with a general comment and one on a question.
    await page.check('input[name=decision][value=returned]');
    await page.fill('textarea[name=comment]', 'Ảnh bao bì bị mờ, chụp lại giúp.');
    const options = await page.locator('select[name=field] option').evaluateAll((os) => os.map((o) => o.value));
    const field = options.find((v) => v.startsWith('answers.'));
    expect(field, 'a question to comment on');
    await page.selectOption('select[name=field]', field);
    await page.fill('textarea[name=field_comment]', 'Kiểm tra lại câu trả lời này.');
    await Promise.all([page.waitForNavigation(), page.click('#review button')]);
    expect((await page.textContent('#notice')).includes('Đã lưu quyết định'), 'the decision was saved');
    expect((await page.textContent('#review-state')).includes('Đã trả lại'), 'the visit shows as returned');
    await shot('04-returned.png');
    results.field = field;

    // 5. English.
    await page.goto(`${hub}/web/record/${visit}?lang=en`);
    expect((await page.textContent('#review-state')).includes('Returned'), 'the state in English');
    expect((await page.locator('h2', { hasText: 'History of changes' }).count()) === 1, 'English headings');
    await shot('05-visit-en.png');
    await page.goto(`${hub}/web/queue?state=returned`);
    expect((await page.locator(`a[href="/web/record/${visit}"]`).count()) === 1, 'the queue filtered by returned');
    await shot('06-queue-returned-en.png');
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify({ ok: true, ...results }));
}

main().catch((e) => {
  console.error(`browser test failed: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
