import type { BrowserContext } from 'playwright-core';
import { startDemo, type Demo } from '../../demo/server';
import { useBrowser } from './helpers';

const chromium = useBrowser();
let demo: Demo | undefined;
let context: BrowserContext | undefined;

afterEach(async () => {
  await context?.close();
  context = undefined;
  await demo?.close();
  demo = undefined;
});

describe('the chat demo page in Chromium', () => {
  it('chats in a room; another room does not see it; an empty message is refused with a note', async () => {
    demo = await startDemo({ port: 0, host: '127.0.0.1' });
    context = await chromium.browser.newContext();
    const [one, two] = [await context.newPage(), await context.newPage()];
    for (const page of [one, two]) {
      await page.goto(demo.url);
      await page.waitForFunction(() => document.getElementById('status')!.textContent === 'connected');
    }
    await two.fill('#room', 'kitchen');
    await two.click('#rooms button');
    await two.waitForFunction(() => document.getElementById('log')!.textContent!.includes('you are in kitchen'));

    await one.fill('#name', 'ann');
    await one.fill('#text', 'hello lobby');
    await one.click('#form button');
    await one.waitForFunction(() => document.getElementById('log')!.textContent!.includes('hello lobby'));
    expect(await one.textContent('#people')).toBe('1 person in lobby');
    // The text field's `required` stops an empty message in the page; send a blank one by hand.
    await one.evaluate(() => (window as any).primus.emit('say', { name: 'ann', text: '   ' }));
    await one.waitForFunction(() => document.getElementById('log')!.textContent!.includes('not sent: text'));
    expect(await two.textContent('#log')).not.toContain('hello lobby');
  });
});
