import { describe, expect, it } from 'vitest'
import { thrown } from '../test-helpers.ts'
import { childrenNamed, onlyChild, readXml } from './ieso-xml.ts'

const FILE = 'doc.xml'

describe('readXml', () => {
  it('reads elements, attributes, text, namespaces and the predefined entities', () => {
    const root = readXml(
      '\uFEFF<?xml version="1.0"?>\n<!-- c -->\n<a:Doc xmlns:a="urn:a" xmlns="urn:d" id=\'1\' note="x &amp; y">\n' +
        '<Item n="1">A &lt;b&gt; &quot;c&quot; &apos;d&apos; &#65;&#x42;</Item>\n<Item n="2"/><a:Other><![CDATA[<raw> & text]]></a:Other>\n</a:Doc>\n',
      FILE
    )
    expect(root).toMatchObject({ name: 'Doc', ns: 'urn:a', line: 3, attributes: { id: '1', note: 'x & y', 'xmlns:a': 'urn:a' } })
    expect(root.children.map((c) => [c.name, c.ns, c.line])).toEqual([
      ['Item', 'urn:d', 4],
      ['Item', 'urn:d', 5],
      ['Other', 'urn:a', 5],
    ])
    expect(root.children[0]?.text).toBe(`A <b> "c" 'd' AB`)
    expect(root.children[2]?.text).toBe('<raw> & text')
    expect(childrenNamed(root, 'Other')).toHaveLength(1) // same namespace as the parent
    expect(childrenNamed(root, 'Item')).toHaveLength(0) // another namespace
    expect(onlyChild(root, 'Other')?.text).toBe('<raw> & text')
  })

  it('throws a ParseError naming the line of what is not well-formed', () => {
    expect(thrown(() => readXml('<a>\n<b>\n</a>', FILE))).toMatchObject({ file: FILE, line: 3, field: '(xml)', reason: expect.stringMatching(/<\/a> closes <b> \(line 2\)/) })
    expect(thrown(() => readXml('<a>\n&nbsp;</a>', FILE))).toMatchObject({ line: 2, reason: 'not well-formed XML: unknown entity &nbsp;' })
    expect(thrown(() => readXml('<a>R & D</a>', FILE)).reason).toMatch(/"&" not starting a reference/)
    expect(thrown(() => readXml('<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', FILE)).reason).toMatch(/DOCTYPE is not accepted/)
    expect(thrown(() => readXml('<p:a>x</p:a>', FILE)).reason).toMatch(/undeclared prefix p:/)
    expect(thrown(() => readXml('<a x="1" x="2"/>', FILE)).reason).toMatch(/attribute x given twice/)
    expect(thrown(() => readXml('<a/><b/>', FILE)).reason).toMatch(/content after the root element/)
    expect(thrown(() => readXml('<a><b>', FILE)).reason).toMatch(/no end tag for <b>/)
    expect(thrown(() => readXml('<a>&#0;</a>', FILE)).reason).toMatch(/bad character reference/)
  })
})
