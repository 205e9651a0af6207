// `npm run migrate`: applies sql/migrations to DATABASE_URL, prints a summary, exits non-zero
// with a readable message on failure.
import postgres from 'postgres';
import { loadConfig } from '../common/config';
import { componentLogger } from '../common/logger';
import { defaultMigrationsDir, MigrationError, migrate } from './migrate';

const START_POSTGRES = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';

/** host:port/database of a Postgres URL, without credentials. */
export function describeDatabase(url: string): string {
  const u = new URL(url);
  return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname || '/'}`;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'CONNECT_TIMEOUT']);

/** A one-paragraph explanation of `err` for a human at a terminal. */
export function explain(err: unknown, url: string): string {
  const where = describeDatabase(url);
  const code = (err as { code?: unknown }).code;
  if (err instanceof MigrationError) return `migrate: ${err.code}: ${err.message}`;
  if (typeof code === 'string' && UNREACHABLE.has(code)) {
    return (
      `migrate: Postgres does not answer at ${where} (${code}).\n` +
      `Start it with: ${START_POSTGRES}\n` +
      'or point DATABASE_URL at a running server.'
    );
  }
  if (code === '3D000') {
    const db = new URL(url).pathname.slice(1);
    return `migrate: database "${db}" does not exist on ${where}; create it with: createdb ${db}`;
  }
  const message = err instanceof Error ? err.message : String(err);
  return `migrate: failed against ${where}: ${message}`;
}

async function main(): Promise<number> {
  const config = loadConfig();
  const log = componentLogger('migrate');
  const sql = postgres(config.databaseUrl, {
    max: 1,
    connect_timeout: 5,
    onnotice: (notice) => log.debug({ notice: notice.message }, 'postgres notice'),
  });
  try {
    const dir = defaultMigrationsDir();
    const result = await migrate(sql, { dir, log });
    const where = describeDatabase(config.databaseUrl);
    if (result.applied.length === 0) {
      process.stdout.write(
        `migrate: ${where} is up to date (${result.skipped.length} migrations already applied)\n`,
      );
    } else {
      process.stdout.write(
        `migrate: applied ${result.applied.length} migration(s) to ${where}: ` +
          `${result.applied.join(', ')} (${result.skipped.length} already applied)\n`,
      );
    }
    return 0;
  } catch (err) {
    process.stderr.write(`${explain(err, config.databaseUrl)}\n`);
    return 1;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      // loadConfig() errors and anything unexpected.
      process.stderr.write(`migrate: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
