/**
 * The XML of Office parts, parsed with fast-xml-parser in document order (`preserveOrder`), since
 * the order of runs, line breaks and paragraphs is the order of the words. Entities are decoded;
 * DOCTYPE entity declarations are not expanded (no billion-laughs).
 */
import { XMLParser } from 'fast-xml-parser';

/** One element: its name, attributes (names as written, e.g. `r:id`) and children in order. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
}
export type XmlNode = XmlElement | { text: string };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
});

type Raw = Record<string, unknown>;

/** The document's root element; throws on XML that is not well-formed. */
export function parseXml(xml: string): XmlElement {
  const nodes = (parser.parse(xml, true) as Raw[]).map(convert).filter((node): node is XmlElement => 'name' in node && !node.name.startsWith('?'));
  if (nodes.length !== 1) throw new Error('not one root element');
  return nodes[0]!;
}

function convert(raw: Raw): XmlNode {
  const name = Object.keys(raw).find((key) => key !== ':@')!;
  if (name === '#text') return { text: String(raw[name]) };
  const attrs = (raw[':@'] ?? {}) as Record<string, string>;
  return { name, attrs, children: ((raw[name] ?? []) as Raw[]).map(convert) };
}

export function isElement(node: XmlNode): node is XmlElement {
  return 'name' in node;
}

/** Direct children named `name`. */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child): child is XmlElement => isElement(child) && child.name === name);
}

/** The first element named `name` at any depth (depth first), or undefined. */
export function findFirst(element: XmlElement, name: string): XmlElement | undefined {
  for (const child of element.children) {
    if (!isElement(child)) continue;
    if (child.name === name) return child;
    const found = findFirst(child, name);
    if (found) return found;
  }
  return undefined;
}

/** Every element named `name` at any depth, in document order, not looking inside matches. */
export function findAll(element: XmlElement, name: string, into: XmlElement[] = []): XmlElement[] {
  for (const child of element.children) {
    if (!isElement(child)) continue;
    if (child.name === name) into.push(child);
    else findAll(child, name, into);
  }
  return into;
}
