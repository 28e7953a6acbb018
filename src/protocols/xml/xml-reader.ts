import { XMLParser, XMLValidator } from "fast-xml-parser";

/** A parsed element: text, or children by name (repeated names become arrays). */
export type XmlValue = string | XmlElement | XmlValue[];
export interface XmlElement {
  [name: string]: XmlValue;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  ignoreDeclaration: true,
});

export class XmlSyntaxError extends Error {
  override readonly name = "XmlSyntaxError";
}

/** Parses a request body; throws XmlSyntaxError for anything that is not well-formed XML. */
export function parseXml(text: string): XmlElement {
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new XmlSyntaxError(valid.err.msg);
  const doc = parser.parse(text) as unknown;
  if (typeof doc !== "object" || doc === null) throw new XmlSyntaxError("empty document");
  return doc as XmlElement;
}

/** The child elements named `name`, always as an array. */
export function children(el: XmlValue | undefined, name: string): XmlValue[] {
  if (el === undefined || typeof el === "string" || Array.isArray(el)) return [];
  const v = el[name];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** The text of the single child `name` (empty elements read as ""), or undefined. */
export function text(el: XmlValue | undefined, name: string): string | undefined {
  const [first] = children(el, name);
  if (first === undefined) return undefined;
  return typeof first === "string" ? first : Array.isArray(first) ? undefined : Object.keys(first).length === 0 ? "" : undefined;
}

/** The single child element `name` (an object), or undefined. */
export function child(el: XmlValue | undefined, name: string): XmlElement | undefined {
  const [first] = children(el, name);
  if (first === undefined) return undefined;
  if (first === "") return {};
  return typeof first === "object" && !Array.isArray(first) ? first : undefined;
}
