import { test } from '@japa/runner'
import { renderMarkdown } from '../../resources/js/markdown.js'

test.group('Markdown of model output', () => {
  test('HTML from the model is escaped, never rendered', ({ assert }) => {
    const html = renderMarkdown('<script>alert(1)</script> <img src=x onerror=alert(2)> "quotes" & \'apostrophes\'')
    assert.notInclude(html, '<script')
    assert.notInclude(html, '<img')
    assert.include(html, '&lt;script&gt;alert(1)&lt;/script&gt;')
    assert.include(html, '&quot;quotes&quot; &amp; &#39;apostrophes&#39;')
  })

  test('links are http(s) only and cannot break out of their attribute', ({ assert }) => {
    assert.include(renderMarkdown('[docs](https://example.com/a?b=1)'), '<a href="https://example.com/a?b=1" rel="noopener noreferrer nofollow" target="_blank">docs</a>')
    assert.notInclude(renderMarkdown('[x](javascript:alert(1))'), '<a')
    assert.notInclude(renderMarkdown('[x](https://e.com/" onmouseover="alert(1))'), 'onmouseover="')
  })

  test('the Markdown a chat needs: emphasis, code, lists, headings, fences (open ones too, while streaming)', ({ assert }) => {
    assert.equal(renderMarkdown('**bold** and *em* and `a<b`'), '<p><strong>bold</strong> and <em>em</em> and <code>a&lt;b</code></p>')
    assert.equal(renderMarkdown('- one\n- two\n\n1. first'), '<ul><li>one</li><li>two</li></ul><ol><li>first</li></ol>')
    assert.equal(renderMarkdown('## Title'), '<h4>Title</h4>')
    assert.equal(renderMarkdown('```js\nconst a = "<b>"\n```'), '<pre><code>const a = &quot;&lt;b&gt;&quot;</code></pre>')
    assert.equal(renderMarkdown('text\n```\nstill streaming'), '<p>text</p><pre><code>still streaming</code></pre>')
  })

  test('file instructions show as one line each, never as their content', ({ assert }) => {
    const html = renderMarkdown('Here:\n<xb-write path="public/a.html"><script>x</script></xb-write>\n<xb-module id="blog">{}</xb-module>\n<xb-rename from="a" to="b" />\n<xb-write path="b.js">still stream')
    assert.equal(html, '<p>Here:</p><p class="xb-op">writes public/a.html</p><p class="xb-op">adds module blog</p><p class="xb-op">renames a → b</p><p class="xb-op">writes b.js</p>')
  })
})
