/** A fresh store for one test of a shared store suite, and how to reopen its data or clean up after it. */
export interface StoreFixture<S> {
  readonly store: S;
  /** The same data opened again (persistent stores), to check what survives a restart. */
  readonly reopen?: () => S;
  /** Removes what the store left behind (its directory). */
  readonly cleanup?: () => void;
}

/** How a shared store suite (runCatalogStoreSuite, ...) gets the implementation it checks. */
export interface StoreSuiteOptions<S> {
  /** Names the implementation in test titles. */
  readonly name: string;
  /** A new, empty store. */
  readonly create: () => StoreFixture<S>;
}

/**
 * Turns a test body taking a store into one that creates the store, and closes and cleans it up
 * afterwards whatever the body did: `test("...", withStore((s, reopen) => { ... }))`.
 */
export function storeTests<S extends { close(): void }>(create: () => StoreFixture<S>) {
  return (fn: (store: S, reopen?: () => S) => void) => (): void => {
    const { store, reopen, cleanup } = create();
    try {
      fn(store, reopen);
    } finally {
      store.close();
      cleanup?.();
    }
  };
}
