import { describe, expect, it } from 'vitest'
import { childNamed, childrenNamed, ownText, parseXml, XmlSyntaxError } from './xml.ts'

function syntaxError(xml: string): XmlSyntaxError {
  try {
    parseXml(xml)
  } catch (error) {
    expect(error).toBeInstanceOf(XmlSyntaxError)
    return error as XmlSyntaxError
  }
  throw new Error('expected an XmlSyntaxError')
}

describe('parseXml', () => {
  it('reads elements by local name, attributes as written, text with entities and character references', () => {
    const root = parseXml(
      '\uFEFF<?xml version="1.0"?>\n<!-- a comment --><x:sst xmlns:x="urn:main" count="2"><x:si><x:t a=\'1 > 0\'>A &amp; B &lt;&#65;&#x42;&gt; &quot;&apos;</x:t></x:si><x:si/></x:sst>',
    )
    expect(root.name).toBe('sst')
    expect(root.attributes).toEqual({ 'xmlns:x': 'urn:main', count: '2' })
    const items = childrenNamed(root, 'si')
    expect(items).toHaveLength(2)
    const t = childNamed(items[0]!, 't')!
    expect(t.attributes.a).toBe('1 > 0')
    expect(ownText(t)).toBe('A & B <AB> "\'')
    expect(items[1]!.children).toEqual([])
  })

  it('keeps white space and line breaks inside text, and CDATA as written', () => {
    const root = parseXml('<r><t xml:space="preserve">  Delivery \nend date </t><t><![CDATA[a < b & c]]></t></r>')
    expect(childrenNamed(root, 't').map(ownText)).toEqual(['  Delivery \nend date ', 'a < b & c'])
  })

  it('names a closing tag that does not match, with its line', () => {
    const error = syntaxError('<worksheet>\n<sheetData>\n<row></c>\n</sheetData></worksheet>')
    expect(error.line).toBe(3)
    expect(error.reason).toBe('closing tag </c> does not match <row> (line 3)')
  })

  it('names an element never closed, a bare ampersand, an unknown entity', () => {
    expect(syntaxError('<a><b>text</b>').reason).toBe('<a> is never closed (the part ends first)')
    expect(syntaxError('<a>AT&T</a>').reason).toBe('a bare "&" (write &amp;)')
    expect(syntaxError('<a>&nbsp;</a>').reason).toBe('unknown entity &nbsp;')
    expect(syntaxError('<a>&#0;</a>').reason).toBe('unknown entity &#0;')
  })

  it('refuses a DOCTYPE, text or a second element outside the root, a repeated attribute, a cut tag', () => {
    expect(syntaxError('<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>').reason).toMatch(/^a DOCTYPE/)
    expect(syntaxError('<a/>junk').reason).toBe('text outside the root element: "junk"')
    expect(syntaxError('<a/><b/>').reason).toBe('a second root element <b>')
    expect(syntaxError('<a x="1" x="2"/>').reason).toBe('attribute x given twice')
    expect(syntaxError('<a x="1').reason).toBe('a start tag is never ended with ">"')
    expect(syntaxError('<a x=1/>').reason).toMatch(/^malformed attributes in <a>/)
    expect(syntaxError('').reason).toBe('no root element')
  })
})
