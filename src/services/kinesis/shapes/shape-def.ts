/** One shape of an AWS JSON-protocol service model, reduced to what parsing and validation need. */
export type ShapeDef =
  | {
      readonly type: "structure";
      /** Member name -> shape name, in the model's order. */
      readonly members: Readonly<Record<string, string>>;
      readonly required?: readonly string[];
      /** True for an event-stream union (SubscribeToShardEventStream). */
      readonly eventStream?: boolean;
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
  | { readonly type: "boolean" | "timestamp" };
