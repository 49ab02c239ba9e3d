// Compiled (not run) by run-tests.sh with `tsc --noEmit --strict`: the declarations accept the documented usage
// and reject misuse (each @ts-expect-error line must be an error, or the compile fails).
import {
  FerrumDB, FerrumError, DatabaseLockedError, CorruptionError, BatchOperation, DocumentStore, StoredDocument,
  UniqueIndexViolationError, DatabaseNotFoundError, NotADatabaseError,
} from 'ferrumdb';

async function usage(): Promise<void> {
  const db: FerrumDB = await FerrumDB.open('data', { fsync: 'periodic', fsyncIntervalMs: 100, passphrase: null });
  await db.put('k', Buffer.from('v'), { ttl: 1000 });
  const v: Buffer | null = await db.get('k');
  const s: string | null = db.getStringSync(new Uint8Array([1]));
  const removed: boolean = await db.delete('k');
  const n: number = db.sizeSync();
  const keys: Buffer[] = await db.keys({ prefix: 'mem:' });
  for await (const [key, value] of db.iterate({ start: 'a', end: 'b', reverse: true, limit: 3 })) {
    void (key.length + value.length);
  }
  await db[Symbol.asyncDispose]();
  const ops: BatchOperation[] = [{ type: 'put', key: 'a', value: 'b', ttl: 5 }, { type: 'delete', key: 'a' }];
  await db.writeBatch(ops);
  await db.close();
  try {
    FerrumDB.openSync('data', { readOnly: true }).closeSync();
  } catch (e) {
    if (e instanceof DatabaseLockedError) {
      const code: string = e.code;
      const cls: string | null = e.javaClass;
      void code, cls;
    } else if (e instanceof CorruptionError) {
      const where: string | null = e.file;
      void where;
    } else if (e instanceof FerrumError) {
      throw e;
    }
  }
  void v, s, removed, n, keys;

  const store = await DocumentStore.open('docs', { fsync: 'never' });
  const notes = store.collection('notes');
  await notes.put('n1', { text: 'hi', tags: ['a'], meta: { n: 1, ok: true, none: null } }, { ttl: 10 });
  const found: StoredDocument[] = await notes.find({ tags: 'a', n: { $gte: 1 }, $or: [{ ok: true }] },
    { sortBy: 'n', descending: true, limit: 5 });
  const one: StoredDocument | null = notes.getSync('n1');
  const id: string | undefined = one?._id;
  const count: number = await notes.count({});
  for await (const doc of notes.iterateFind({ n: { $lt: 3 } }, { limit: 2 })) {
    const docId: string = doc._id;
    void docId;
  }
  const stats = await db.stats();
  const perFsync: number = stats.syncedRecords / stats.fsyncs + db.statsSync().writeCalls;
  void perFsync;
  void found, id, count, UniqueIndexViolationError;
  const notFound: FerrumError = new DatabaseNotFoundError('no FerrumDB database at data');
  void notFound, NotADatabaseError.code;
  await store.close();

  // @ts-expect-error a document is an object, not an array
  await notes.put('n2', [1, 2]);
  // @ts-expect-error fsync takes one of three names
  await FerrumDB.open('data', { fsync: 'sometimes' });
  // @ts-expect-error keys are strings or bytes
  await db.put(1, 'v');
  // @ts-expect-error a delete has no value
  await db.writeBatch([{ type: 'remove', key: 'a' }]);
  // @ts-expect-error a counter is a number
  (await db.stats()).fsyncs = 'many';
  // @ts-expect-error the constructor is private: use open
  new FerrumDB();
}
void usage;
