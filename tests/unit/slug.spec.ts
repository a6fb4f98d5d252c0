import { test } from '@japa/runner'
import { slugify } from '#lib/slug'

test.group('Slugs', () => {
  test('a Cyrillic or accented name gets a readable slug, not the fallback', ({ assert }) => {
    assert.equal(slugify('Кофейня Утро', 48, 'project'), 'kofeynya-utro')
    assert.equal(slugify('Café Crème', 48, 'project'), 'cafe-creme')
    assert.equal(slugify('Grandma’s Kitchen!', 48, 'project'), 'grandma-s-kitchen')
  })

  test('the length is capped without a trailing dash; nothing usable gives the fallback', ({ assert }) => {
    assert.equal(slugify('a'.repeat(10) + ' ' + 'b'.repeat(10), 11, 'x'), 'aaaaaaaaaa')
    assert.equal(slugify('!!! ???', 48, 'project'), 'project')
    assert.equal(slugify('', 48, 'project'), 'project')
  })
})
