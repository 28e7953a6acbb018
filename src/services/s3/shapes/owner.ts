import type { XmlNode } from "../../../protocols/xml/xml-writer.js";
import { canonicalUserId } from "../../../server/principal.js";

/** The <Owner> element S3 returns for an account (ID is the canonical user id). */
export const ownerXml = (accountId: string): { [name: string]: XmlNode } => ({
  ID: canonicalUserId(accountId),
  DisplayName: "streamlake",
});

export const S3_XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/";
