// Type declarations for ferrumdb, the Node.js binding of the FerrumDB embedded database.

/** A key or value: a string is stored as its UTF-8 encoding. */
export type Bytes = string | Buffer | Uint8Array;

export interface OpenOptions {
  /** Opens (or creates) an encrypted database with this passphrase. */
  passphrase?: string | null;
  /**
   * 'always' (default): a write is durable when its promise resolves; concurrent writers share fsyncs.
   * 'periodic': fsync every fsyncIntervalMs. 'never': leave it to the operating system.
   */
  fsync?: 'always' | 'periodic' | 'never';
  /** Milliseconds between fsyncs for fsync: 'periodic' (default 1000). */
  fsyncIntervalMs?: number;
  /** Open without writing; several read-only handles may share a directory. */
  readOnly?: boolean;
}

export interface PutOptions {
  /**
   * Time to live in seconds (fractions allowed, as in Python and Redis), at most 100 years (3153600000); the key
   * reads as absent afterwards.
   */
  ttl?: number;
}

export interface ScanOptions {
  /** Only keys starting with these bytes (not combined with start or end). */
  prefix?: Bytes;
  /** The first key (inclusive). */
  start?: Bytes;
  /** The end (exclusive). */
  end?: Bytes;
  /** Descending key order. */
  reverse?: boolean;
  /** At most this many entries. */
  limit?: number;
}

export type BatchOperation =
  | { type: 'put'; key: Bytes; value: Bytes; ttl?: number }
  | { type: 'delete'; key: Bytes };

/** The engine's counters since open (FerrumDB#stats). */
export interface Stats {
  liveKeys: number;
  puts: number;
  deletes: number;
  gets: number;
  fsyncs: number;
  /** Records made durable by those fsyncs: syncedRecords / fsyncs is the group-commit batch size. */
  syncedRecords: number;
  totalBytes: number;
  liveBytes: number;
  compactions: number;
  reclaimedBytes: number;
  /** Java calls that carried this handle's async writes, agent memory's included (many travel in one call). */
  writeCalls: number;
}

/**
 * An open FerrumDB database. Async methods never block the event loop for long (the ...Sync twins do): Java work
 * runs on java-bridge threads and results arrive in bounded steps. Async puts and deletes issued together travel
 * to Java in few calls and share group commits; the writes of one handle apply in the order issued.
 */
export class FerrumDB {
  private constructor();
  /** Opens the database in directory `path`, creating it when missing (unless readOnly). */
  static open(path: string, options?: OpenOptions): Promise<FerrumDB>;
  static openSync(path: string, options?: OpenOptions): FerrumDB;
  /** The database directory (absolute). */
  readonly path: string;
  /** Resolves once the put is durable under the fsync policy; Buffers are copied when the put is issued. */
  put(key: Bytes, value: Bytes, options?: PutOptions): Promise<void>;
  putSync(key: Bytes, value: Bytes, options?: PutOptions): void;
  /**
   * The value, or null when absent or expired. Sees the writes of this handle issued before it, awaited or not. A
   * value in memory (up to 256 KB) is read on the event loop with no disk I/O; any other on a Java thread.
   */
  get(key: Bytes): Promise<Buffer | null>;
  getSync(key: Bytes): Buffer | null;
  /** The value decoded as UTF-8, or null when absent or expired. */
  getString(key: Bytes): Promise<string | null>;
  getStringSync(key: Bytes): string | null;
  /** True when a live key was removed. */
  delete(key: Bytes): Promise<boolean>;
  deleteSync(key: Bytes): boolean;
  has(key: Bytes): Promise<boolean>;
  hasSync(key: Bytes): boolean;
  /** The number of live keys. */
  size(): Promise<number>;
  sizeSync(): number;
  /**
   * Scans in unsigned byte order of the keys, streamed from a Java thread in chunks:
   * `for await (const [key, value] of db.iterate({ prefix }))`. Keys and values are views into a chunk's Buffer.
   */
  iterate(options?: ScanOptions): AsyncGenerator<[Buffer, Buffer], void, undefined>;
  /** The live keys in unsigned byte order (streamed in chunks, as iterate). */
  keys(options?: ScanOptions): Promise<Buffer[]>;
  keysSync(options?: ScanOptions): Buffer[];
  /** Applies all operations or none, also across crashes. */
  writeBatch(ops: BatchOperation[]): Promise<void>;
  writeBatchSync(ops: BatchOperation[]): void;
  /** Forces every write so far (async writes issued before it too) to stable storage, whatever the policy. */
  sync(): Promise<void>;
  syncSync(): void;
  /** The engine's counters since open. */
  stats(): Promise<Stats>;
  statsSync(): Stats;
  /**
   * Flushes, fsyncs and releases the directory lock, after the async writes issued before it. Closing twice is
   * harmless.
   */
  close(): Promise<void>;
  closeSync(): void;
  /** `await using db = await FerrumDB.open(path)` closes it at the end of the block. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** A JSON value as JSON.parse returns it (numbers beyond 2^53 lose precision, as in JSON.parse). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A document as stored: a plain object of JSON values. */
export type DocumentInput = { [key: string]: JsonValue };

/** A document as read back: its id is in `_id`. */
export type StoredDocument = { _id: string; [key: string]: JsonValue };

type Scalar = string | number | boolean | null;

/** A condition on one path: a value (equality) or operators. */
export type Condition =
  | Scalar
  | {
      $eq?: Scalar; $ne?: Scalar; $gt?: Scalar; $gte?: Scalar; $lt?: Scalar; $lte?: Scalar;
      $in?: Scalar[]; $between?: [Scalar, Scalar]; $exists?: boolean; $startsWith?: string;
    };

/** A MongoDB-style query: every listed condition must hold; `{}` matches everything. */
export type Query = {
  $and?: Query[];
  $or?: Query[];
  $not?: Query;
  [path: string]: Condition | Query[] | Query | undefined;
};

export interface FindOptions {
  /** Sort by the value at this dot path (documents in id order otherwise). */
  sortBy?: string;
  descending?: boolean;
  offset?: number;
  limit?: number;
}

/** A named collection of JSON documents in a DocumentStore. */
export class Collection {
  private constructor();
  readonly name: string;
  /** Inserts or replaces document `id`; an `_id` field is allowed only when it equals `id`. */
  put(id: string, document: DocumentInput, options?: PutOptions): Promise<void>;
  putSync(id: string, document: DocumentInput, options?: PutOptions): void;
  get(id: string): Promise<StoredDocument | null>;
  getSync(id: string): StoredDocument | null;
  delete(id: string): Promise<boolean>;
  deleteSync(id: string): boolean;
  createIndex(path: string): Promise<void>;
  createIndexSync(path: string): void;
  createUniqueIndex(path: string): Promise<void>;
  createUniqueIndexSync(path: string): void;
  dropIndex(path: string): Promise<boolean>;
  dropIndexSync(path: string): boolean;
  /** The matching documents; the result is streamed from Java in chunks of about 32 KB of JSON. */
  find(query?: Query | null, options?: FindOptions): Promise<StoredDocument[]>;
  /** find's documents one by one, in chunks parsed one per event-loop turn; leaving the loop releases the rest. */
  iterateFind(query?: Query | null, options?: FindOptions): AsyncGenerator<StoredDocument, void, undefined>;
  findSync(query?: Query | null, options?: FindOptions): StoredDocument[];
  count(query?: Query | null): Promise<number>;
  countSync(query?: Query | null): number;
}

/** An open document store: named collections of JSON documents in one FerrumDB directory. */
export class DocumentStore {
  private constructor();
  static open(path: string, options?: OpenOptions): Promise<DocumentStore>;
  static openSync(path: string, options?: OpenOptions): DocumentStore;
  readonly path: string;
  /** The collection `name`, created on its first call. */
  collection(name: string): Collection;
  collections(): Promise<string[]>;
  collectionsSync(): string[];
  dropCollection(name: string): Promise<boolean>;
  dropCollectionSync(name: string): boolean;
  sync(): Promise<void>;
  syncSync(): void;
  close(): Promise<void>;
  closeSync(): void;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Base of every error FerrumDB throws for an engine-side problem. */
export class FerrumError extends Error {
  /** A stable code per class, e.g. 'DATABASE_LOCKED'. */
  readonly code: string;
  /** The Java exception class behind this error, or null when raised on the JavaScript side. */
  readonly javaClass: string | null;
  static readonly code: string;
}
export class DatabaseLockedError extends FerrumError {}
export class DatabaseClosedError extends FerrumError {}
export class DatabaseNotFoundError extends FerrumError {}
export class NotADatabaseError extends FerrumError {}
export class CorruptionError extends FerrumError {
  /** The file that failed the check, when the engine named one. */
  readonly file: string | null;
  /** The byte offset in that file, when the engine named one. */
  readonly offset: number | null;
}
export class EncryptionKeyError extends FerrumError {}
export class ReadOnlyDatabaseError extends FerrumError {}
export class FormatVersionError extends FerrumError {}
export class InvalidArgumentError extends FerrumError {}
export class UniqueIndexViolationError extends FerrumError {}

/** A memory as recall returns it (the shape of the MCP `recall` tool's results). */
export interface RecalledMemory {
  id: string;
  namespace: string;
  text: string;
  tags: string[];
  metadata: Record<string, unknown>;
  score: number;
  created_at: string;
  expires_at?: string;
}

export interface Remembered {
  id: string;
  namespace: string;
  created_at: string;
  expires_at?: string;
}

export interface RememberOptions {
  namespace?: string;
  tags?: string[];
  /** Time to live in seconds, as every TTL of the binding. */
  ttl?: number;
  metadata?: Record<string, unknown>;
  /** An embedding of the text computed by the caller. */
  vector?: number[];
}

export interface RecallOptions {
  namespace?: string;
  /** Only memories carrying all of these tags. */
  tags?: string[];
  /** 1 to 100, default 10. */
  limit?: number;
  /** Only memories created at or after this instant. */
  since?: Date | string;
  vector?: number[];
}

/** Durable agent memory in an open FerrumDB: the same Java implementation as `ferrumdb mcp`. */
export class AgentMemory {
  static of(db: FerrumDB): AgentMemory;
  remember(text: string, options?: RememberOptions): Promise<Remembered>;
  rememberSync(text: string, options?: RememberOptions): Remembered;
  recall(query?: string | null, options?: RecallOptions): Promise<RecalledMemory[]>;
  recallSync(query?: string | null, options?: RecallOptions): RecalledMemory[];
  forget(id?: string | null, options?: { namespace?: string; tags?: string[] }): Promise<number>;
  forgetSync(id?: string | null, options?: { namespace?: string; tags?: string[] }): number;
}
