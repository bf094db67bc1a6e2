/** The two output encoders every page and export goes through. */
import { describe, expect, it } from 'vitest';
import { csvCell, csvRow } from '../../admin-web/src/csv.js';
import { escapeHtml, html } from '../../admin-web/src/html.js';

describe('csv encoding', () => {
  it.each([
    ['=1+2', "'=1+2"],
    ['+SUM(A1)', "'+SUM(A1)"],
    ['-2+3', "'-2+3"],
    ['@cmd', "'@cmd"],
    ['\tx', "'\tx"],
    ['\r=x', '"\'\r=x"'],
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
  ])('encodes %j as %j', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it('leaves numbers (including negative scores) alone and writes nulls as empty', () => {
    expect(csvRow([0.93, -1, null, undefined, 'x'])).toBe('0.93,-1,,,x\r\n');
  });
});

describe('html template', () => {
  it('escapes every interpolated value, in text and attributes', () => {
    const name = `"><script>alert('x')</script>&`;
    expect(html`<a title="${name}">${name}</a>`.value).toBe(
      '<a title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</a>',
    );
  });

  it('nests templates without double escaping and skips null, undefined and false', () => {
    const items = ['<b>', 'ok'].map((t) => html`<li>${t}</li>`);
    expect(html`<ul>${items}${null}${undefined}${false}</ul>`.value).toBe('<ul><li>&lt;b&gt;</li><li>ok</li></ul>');
    expect(escapeHtml('`')).toBe('&#96;');
  });
});
