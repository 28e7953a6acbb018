/**
 * A small XML serializer for AWS REST-XML answers. Values are escaped; element order follows
 * the order of the object's properties (AWS clients do not care, but people reading do).
 *
 * A node is a string/number/boolean (text), an array (the element repeated), an object
 * (child elements), or undefined/null (omitted).
 */
export type XmlNode = string | number | boolean | bigint | null | undefined | XmlNode[] | { [name: string]: XmlNode };

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;", "\r": "&#13;" };

const SPECIAL = /[&<>"'\r]|[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;
const SPECIALS = new RegExp(SPECIAL.source, "g");
const escapeOne = (c: string): string => ESCAPES[c] ?? `&#${c.charCodeAt(0)};`;

/** Escapes text for element content and attribute values; drops characters XML 1.0 forbids. */
export function escapeXml(text: string): string {
  // Most text has nothing to escape: one test, and the string is returned as it is.
  return SPECIAL.test(text) ? text.replace(SPECIALS, escapeOne) : text;
}

function write(name: string, node: XmlNode, out: string[]): void {
  if (node === undefined || node === null) return;
  if (Array.isArray(node)) {
    for (const item of node) write(name, item, out);
    return;
  }
  if (typeof node === "object") {
    out.push(`<${name}>`);
    for (const [child, value] of Object.entries(node)) write(child, value, out);
    out.push(`</${name}>`);
    return;
  }
  out.push(`<${name}>${escapeXml(String(node))}</${name}>`);
}

/** Serializes a document with one root element, optionally with an xmlns. */
export function toXml(root: string, body: { [name: string]: XmlNode }, xmlns?: string): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n'];
  out.push(xmlns === undefined ? `<${root}>` : `<${root} xmlns="${escapeXml(xmlns)}">`);
  for (const [child, value] of Object.entries(body)) write(child, value, out);
  out.push(`</${root}>`);
  return out.join("");
}

/** Serializes one element without a declaration, for documents whose repeated children interleave (ListObjectVersions). */
export function xmlElement(name: string, node: XmlNode): string {
  const out: string[] = [];
  write(name, node, out);
  return out.join("");
}
