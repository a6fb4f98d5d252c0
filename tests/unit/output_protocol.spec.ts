import { test } from '@japa/runner'
import { filesInProgress, parseOutput, unfence } from '#ai/output_protocol'
import { OUTPUT_TOOLS, toolCallToOp } from '#ai/output_tools'

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

  test('instructions shown inside a Markdown code block are examples, not writes', ({ assert }) => {
    const text = `To delete a file you would write:
\`\`\`html
<xb-delete path="server.js" />
<xb-write path="index.html">example</xb-write>
\`\`\`
~~~~
<xb-write path="tilde.txt">also an example</xb-write>
~~~~
Inline, too: \`<xb-delete path="package.json" />\` is how.
<xb-write path="real.txt">
\`\`\`
fenced content of a real write
\`\`\`
</xb-write>`
    const parsed = parseOutput(text, { finished: true })
    assert.deepEqual(parsed.problems, [])
    assert.deepEqual(parsed.ops, [{ op: 'write', path: 'real.txt', content: 'fenced content of a real write' }])
    assert.equal(parsed.examples, 4)
    // A fence that is never closed runs to the end of the answer.
    assert.deepEqual(parseOutput('```\n<xb-delete path="a.js" />', { finished: true }).ops, [])
    // The "writing…" indicator ignores examples too.
    assert.deepEqual(filesInProgress('```\n<xb-write path="shown.js">half'), [])
  })

  test('a nested instruction is reported, and never cuts the outer file short', ({ assert }) => {
    const text = `<xb-write path="outer.html">one
<xb-write path="inner.html">two</xb-write>
three</xb-write>
<xb-module id="blog"><xb-delete path="x" /></xb-module>
<xb-write path="after.txt">kept</xb-write>`
    const { ops, problems } = parseOutput(text, { finished: true })
    assert.deepEqual(ops, [{ op: 'write', path: 'after.txt', content: 'kept' }])
    assert.lengthOf(problems, 2)
    assert.match(problems[0], /^outer\.html contains another instruction \(<xb-write path="inner\.html">\): instructions cannot be nested/)
    assert.match(problems[1], /^blog contains another instruction \(<xb-delete path="x" \/>\)/)
    // The text after the inner closing tag is not taken for prose with a stray closing tag.
    assert.notInclude(problems.join('\n'), 'three')
  })

  test('unfence leaves unfenced content alone', ({ assert }) => {
    assert.equal(unfence('a ``` b'), 'a ``` b')
    assert.equal(unfence('```\nx\n```'), 'x')
  })
})

test.group('Output protocol: module removal and parameter update', () => {
  test('tagged text: removal, update, their aliases and their refusals', ({ assert }) => {
    const text = `Taking the pricing page out and changing the headline.
<xb-remove-module id="pricing-page" />
<XB-MODULE-REMOVE name='blog'/>
<xb-update-module id="landing-page">{"headline": "Fresh bread daily"}</xb-update-module>
<xb-module-update id="app-base">
\`\`\`json
{"title": "Bakery"}
\`\`\`
</xb-module-update>
<xb-update-module id="waitlist">{}</xb-update-module>
<xb-update-module id="faq">["not", "an object"]</xb-update-module>
<xb-remove-module />`
    const { ops, problems } = parseOutput(text, { finished: true })
    assert.deepEqual(ops, [
      { op: 'remove-module', id: 'pricing-page' },
      { op: 'remove-module', id: 'blog' },
      { op: 'update-module', id: 'landing-page', params: { headline: 'Fresh bread daily' } },
      { op: 'update-module', id: 'app-base', params: { title: 'Bakery' } },
    ])
    assert.lengthOf(problems, 3)
    assert.match(problems.join('\n'), /"waitlist" names no parameter[\s\S]*"faq" are not a JSON object: the module was not updated[\s\S]*removal without an id/)
  })

  test('a module update being written shows in the files in progress; a removal is not a file being written', ({ assert }) => {
    assert.deepEqual(filesInProgress('<xb-remove-module id="blog" /><xb-update-module id="landing-page">{"headline"'), ['landing-page'])
    assert.deepEqual(filesInProgress('<xb-update-module id="landing-page">{}</xb-update-module>'), [])
  })

  test('native tools: xb_remove_module and xb_update_module', ({ assert }) => {
    assert.deepEqual(toolCallToOp('xb_remove_module', { id: 'pricing-page' }), { op: 'remove-module', id: 'pricing-page' })
    assert.deepEqual(toolCallToOp('xb_update_module', { id: 'app-base', params: { title: 'Bakery' } }), { op: 'update-module', id: 'app-base', params: { title: 'Bakery' } })
    assert.match(toolCallToOp('xb_remove_module', {}) as string, /needs an id/)
    assert.match(toolCallToOp('xb_update_module', { id: 'app-base', params: {} }) as string, /names no parameter/)
    assert.match(toolCallToOp('xb_update_module', { id: 'app-base', params: [1] }) as string, /not an object/)
    assert.includeMembers(OUTPUT_TOOLS.map((t) => t.name), ['xb_remove_module', 'xb_update_module'])
  })
})
