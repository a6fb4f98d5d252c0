import { test } from '@japa/runner'
import { filesInProgress, parseOutput, unfence } from '#ai/output_protocol'

test.group('Output protocol: lenient parsing, strict validation', () => {
  test('every operation, in the canonical form', ({ assert }) => {
    const text = `Sure! Here you go.
<xb-module id="waitlist">{"headline": "Join"}</xb-module>
<xb-write path="public/about.html"><h1>About</h1>
</xb-write>
<xb-edit path="server.js"><search>const a = 1</search><replace>const a = 2</replace></xb-edit>
<xb-delete path="old.js" />
<xb-rename from="a.js" to="b.js" />
<xb-dependency name="marked" version="^12.0.0" />
Done.`
    const { ops, problems } = parseOutput(text, { finished: true })
    assert.deepEqual(problems, [])
    assert.deepEqual(ops, [
      { op: 'module', id: 'waitlist', params: { headline: 'Join' } },
      { op: 'write', path: 'public/about.html', content: '<h1>About</h1>\n' },
      { op: 'edit', path: 'server.js', search: 'const a = 1', replace: 'const a = 2' },
      { op: 'delete', path: 'old.js' },
      { op: 'rename', from: 'a.js', to: 'b.js' },
      { op: 'dependency', name: 'marked', version: '^12.0.0' },
    ])
  })

  test('variants small models produce: case, quotes, aliases, fences', ({ assert }) => {
    const text = `<XB-FILE FILE='a.js'>
\`\`\`js
console.log("hi")
\`\`\`
</XB-FILE>
<xb-write filename=b.txt>plain</xb-write>
<xb-module name="blog"></xb-module>`
    const { ops, problems } = parseOutput(text, { finished: true })
    assert.deepEqual(problems, [])
    assert.deepEqual(ops, [
      { op: 'write', path: 'a.js', content: 'console.log("hi")' },
      { op: 'write', path: 'b.txt', content: 'plain' },
      { op: 'module', id: 'blog', params: {} },
    ])
  })

  test('a missing closing tag: accepted at the end of a finished answer, refused in a cut-off one', ({ assert }) => {
    const text = 'Writing it now\n<xb-write path="index.html"><p>hello</p>'
    assert.deepEqual(parseOutput(text, { finished: true }).ops, [{ op: 'write', path: 'index.html', content: '<p>hello</p>' }])
    const cut = parseOutput(text, { finished: false })
    assert.deepEqual(cut.ops, [])
    assert.match(cut.problems[0], /cut off while writing index\.html/)
  })

  test('malformed instructions are refused with a message, the rest is kept', ({ assert }) => {
    const text = `<xb-write>no path</xb-write>
<xb-module id="x">not json</xb-module>
<xb-edit path="a.js"><search>only search</search></xb-edit>
<xb-rename from="a.js" />
<xb-dependency name="rm -rf /" />
<xb-teleport path="x" />
<xb-write path="ok.txt">fine</xb-write>`
    const { ops, problems } = parseOutput(text, { finished: true })
    assert.deepEqual(ops, [{ op: 'write', path: 'ok.txt', content: 'fine' }])
    assert.lengthOf(problems, 6)
    assert.match(problems.join('\n'), /without a path[\s\S]*not a JSON object[\s\S]*needs <search> and <replace>[\s\S]*needs from= and to=[\s\S]*not a valid npm package name[\s\S]*Unknown instruction <xb-teleport>/)
  })

  test('files in progress while streaming', ({ assert }) => {
    assert.deepEqual(filesInProgress('<xb-write path="a.js">done</xb-write><xb-write path="b.js">half'), ['b.js'])
    assert.deepEqual(filesInProgress('<xb-write path="a.js">done</xb-write>'), [])
  })

  test('unfence leaves unfenced content alone', ({ assert }) => {
    assert.equal(unfence('a ``` b'), 'a ``` b')
    assert.equal(unfence('```\nx\n```'), 'x')
  })
})
