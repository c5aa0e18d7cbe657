import { describe, expect, it } from 'vitest';
import { escapeHtml, html, jsonForScript, SafeHtml } from './html.ts';

describe('html', () => {
  it('escapes every interpolated value, including inside arrays', () => {
    const hostile = `<img src=x onerror="alert('x')">&`;
    expect(html`<p>${hostile}</p>`.value).toBe(
      '<p>&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;</p>',
    );
    expect(html`<ul>${['<a>', '<b>'].map((t) => html`<li>${t}</li>`)}</ul>`.value).toBe(
      '<ul><li>&lt;a&gt;</li><li>&lt;b&gt;</li></ul>',
    );
  });

  it('passes SafeHtml through and drops null, undefined and false', () => {
    expect(html`${new SafeHtml('<br>')}${null}${undefined}${false}${0}`.value).toBe('<br>0');
    expect(escapeHtml('"quoted"')).toBe('&quot;quoted&quot;');
  });

  it('writes JSON that cannot end a script element and still parses to the same value', () => {
    const value = { text: '</script><script>alert(1)</script> & \u2028 <!--' };
    const json = jsonForScript(value);
    expect(json).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(json)).toEqual(value);
  });
});
