// migrate(): idempotence, concurrent runners, checksum pinning, file-name validation, atomicity.
import { appendFile, cp, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import postgres from 'postgres';
import t from 'tap';
import { defaultMigrationsDir, MigrationError, migrate, readMigrations } from '../migrate';
import { explain } from '../migrate-cli';
import { createTestDatabase, type TestDatabase } from '../test-database';

const log = pino({ level: 'silent' });
const repoDir = defaultMigrationsDir();

async function emptyDb(t: tap.Test, prefix: string): Promise<TestDatabase> {
  const db = await createTestDatabase(prefix, { migrate: false });
  t.teardown(() => db.drop());
  return db;
}

async function tempDir(t: tap.Test, files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'migrations-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

t.test('applies every migration once; a second run applies nothing', async (t) => {
  const db = await emptyDb(t, 'sql_mig_rerun');
  const files = (await readMigrations(repoDir)).map((f) => f.file);
  t.ok(files.length >= 1);

  const first = await migrate(db.sql, { dir: repoDir, log });
  t.same(first, { applied: files, skipped: [] });
  const second = await migrate(db.sql, { dir: repoDir, log });
  t.same(second, { applied: [], skipped: files });

  const rows = await db.sql<{ name: string; checksum: string }[]>`
    select name, checksum from schema_migrations order by version`;
  t.same(
    rows.map((r) => r.name),
    files,
  );
  t.ok(
    rows.every((r) => /^[0-9a-f]{64}$/.test(r.checksum)),
    'sha256 hex checksums',
  );
});

t.test('two concurrent runners: both succeed, each version applied exactly once', async (t) => {
  const db = await emptyDb(t, 'sql_mig_conc');
  const other = postgres(db.url, { max: 1, onnotice: () => {} });
  t.teardown(() => other.end({ timeout: 1 }));
  const files = (await readMigrations(repoDir)).map((f) => f.file);

  const [a, b] = await Promise.all([
    migrate(db.sql, { dir: repoDir, log }),
    migrate(other, { dir: repoDir, log }),
  ]);
  t.same([...a.applied, ...b.applied].sort(), files, 'every file applied by exactly one runner');
  t.ok(a.applied.length === 0 || b.applied.length === 0, 'the second runner waited, then skipped');
  const [{ n, distinct }] = await db.sql<{ n: number; distinct: number }[]>`
    select count(*)::int as n, count(distinct version)::int as distinct from schema_migrations`;
  t.equal(n, files.length);
  t.equal(distinct, files.length);
});

t.test('an edited or missing applied migration is refused', async (t) => {
  const db = await emptyDb(t, 'sql_mig_sum');
  const dir = await tempDir(t);
  await cp(repoDir, dir, { recursive: true });
  await migrate(db.sql, { dir, log });

  const edited = path.join(dir, '0002_reference_data.sql');
  await appendFile(edited, '\n-- an innocent-looking edit\n');
  await t.rejects(migrate(db.sql, { dir, log }), {
    name: 'MigrationError',
    code: 'E_MIGRATION_CHECKSUM',
    message: /0002_reference_data\.sql was edited/,
  });

  await cp(path.join(repoDir, '0002_reference_data.sql'), edited);
  const last = (await readMigrations(dir)).at(-1)!.file;
  await unlink(path.join(dir, last));
  await t.rejects(migrate(db.sql, { dir, log }), {
    code: 'E_MIGRATION_CHECKSUM',
    message: new RegExp(`${last.replace('.', '\\.')}.*has no file`),
  });
  const err = await migrate(db.sql, { dir, log }).catch((e: unknown) => e);
  t.ok(err instanceof MigrationError, 'is a MigrationError');
});

t.test('malformed names and duplicate versions are rejected', async (t) => {
  const db = await emptyDb(t, 'sql_mig_names');
  const bad = await tempDir(t, { '0001_ok.sql': 'select 1;', '2_short.sql': 'select 1;' });
  await t.rejects(migrate(db.sql, { dir: bad, log }), {
    code: 'E_MIGRATION_NAME',
    message: /2_short\.sql/,
  });
  const upper = await tempDir(t, { '0001_Bad-Name.sql': 'select 1;' });
  await t.rejects(migrate(db.sql, { dir: upper, log }), { code: 'E_MIGRATION_NAME' });
  const dup = await tempDir(t, { '0001_a.sql': 'select 1;', '0001_b.sql': 'select 1;' });
  await t.rejects(migrate(db.sql, { dir: dup, log }), {
    code: 'E_MIGRATION_DUPLICATE',
    message: /0001_a\.sql and 0001_b\.sql/,
  });
  const ignored = await tempDir(t, { '0001_a.sql': 'select 1;', 'README.md': '# notes' });
  t.same(await migrate(db.sql, { dir: ignored, log }), { applied: ['0001_a.sql'], skipped: [] });
  const [{ exists }] = await db.sql<{ exists: boolean }[]>`
    select to_regclass('schema_migrations') is not null as exists`;
  t.ok(exists);
});

t.test('a failing migration is rolled back whole and named with its line', async (t) => {
  const db = await emptyDb(t, 'sql_mig_fail');
  const dir = await tempDir(t, {
    '0001_ok.sql': 'create table one (id int);\n',
    '0002_bad.sql': 'create table two (id int);\n\nselect * from no_such_table;\n',
  });
  await t.rejects(migrate(db.sql, { dir, log }), {
    code: 'E_MIGRATION_FAILED',
    message: /0002_bad\.sql failed at line 3: relation "no_such_table" does not exist/,
  });
  const [r] = await db.sql<{ one: string | null; two: string | null }[]>`
    select to_regclass('one')::text as one, to_regclass('two')::text as two`;
  t.same(r, { one: 'one', two: null }, '0001 committed, nothing of 0002 left');
  const versions = await db.sql`select version from schema_migrations`;
  t.same(
    versions.map((v) => v.version),
    [1],
  );

  // A pending version below an applied one is refused rather than applied out of order.
  await writeFile(path.join(dir, '0002_bad.sql'), 'create table two (id int);\n');
  await writeFile(path.join(dir, '0003_three.sql'), 'create table three (id int);\n');
  await migrate(db.sql, { dir, log });
  await writeFile(path.join(dir, '0000_zero.sql'), 'select 1;\n');
  await t.rejects(migrate(db.sql, { dir, log }), { code: 'E_MIGRATION_NAME' });
  await unlink(path.join(dir, '0000_zero.sql'));
  const late = await tempDir(t);
  await cp(dir, late, { recursive: true });
  await rm(path.join(late, '0002_bad.sql'));
  const db2 = await emptyDb(t, 'sql_mig_order');
  await migrate(db2.sql, { dir: late, log });
  await writeFile(path.join(late, '0002_late.sql'), 'select 1;\n');
  await t.rejects(migrate(db2.sql, { dir: late, log }), {
    code: 'E_MIGRATION_ORDER',
    message: /0002_late\.sql/,
  });
});

t.test('the CLI explains an unreachable server', async (t) => {
  const url = 'postgres://root@127.0.0.1:1/test';
  const sql = postgres(url, { max: 1, connect_timeout: 2 });
  t.teardown(() => sql.end({ timeout: 1 }));
  const err = await migrate(sql, { dir: repoDir, log }).catch((e: unknown) => e);
  const text = explain(err, url);
  t.match(text, /Postgres does not answer at 127\.0\.0\.1:1\/test/);
  t.match(text, /pg_ctlcluster --skip-systemctl-redirect \$\(ls \/etc\/postgresql\) main start/);
});
