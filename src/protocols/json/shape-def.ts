/**
 * One shape of an AWS JSON-protocol (JSON 1.1 or REST-JSON) service model, reduced to what
 * parsing, validation and serialization need. Generated per service by generate-shapes.py.
 */
export type ShapeDef =
  | {
      readonly type: "structure";
      /** Member name -> shape name, in the model's order. */
      readonly members: Readonly<Record<string, string>>;
      readonly required?: readonly string[];
      /** True for an event-stream union. */
      readonly eventStream?: boolean;
      /** REST protocols: members bound to the URI, query string, headers or status code instead of the body. */
      readonly bindings?: Readonly<Record<string, MemberBinding>>;
      /** REST protocols: the member that is the whole body (a blob or a structure). */
      readonly payload?: string;
    }
  | { readonly type: "list"; readonly member: string; readonly min?: number; readonly max?: number }
  | { readonly type: "map"; readonly key: string; readonly value: string; readonly min?: number; readonly max?: number }
  | {
      readonly type: "string";
      readonly min?: number;
      readonly max?: number;
      readonly pattern?: string;
      readonly enum?: readonly string[];
    }
  | { readonly type: "integer" | "long" | "double" | "float"; readonly min?: number; readonly max?: number }
  | { readonly type: "blob"; readonly min?: number; readonly max?: number }
  | { readonly type: "boolean" | "timestamp" | "document" };

/** Where a REST member travels. */
export interface MemberBinding {
  /** The HTTP element that carries the member. */
  readonly location: "uri" | "querystring" | "header" | "headers" | "statusCode";
  /** The name on the wire (path label, query parameter, header name); absent for statusCode. */
  readonly name?: string;
}

/** A service's shapes by name. */
export type ShapeTable = Readonly<Record<string, ShapeDef>>;

/** An operation's input and output shape names (and, for REST, its HTTP binding). */
export interface OperationDef {
  readonly input?: string;
  readonly output?: string;
  /** REST protocols: method, URI template (`/2015-03-31/functions/{FunctionName}`), success status. */
  readonly http?: { readonly method: string; readonly requestUri: string; readonly responseCode: number };
}
