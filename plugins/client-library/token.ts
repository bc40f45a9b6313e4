/** Registry token of the service that assembles the browser library. */
export const LIBRARY = Symbol('client library');

/** What the client-library plugin provides to the facade and other plugins. */
export interface LibraryService {
  /** The self-contained browser script (`/<pathname>/primus.js`). */
  source(): string;
}
