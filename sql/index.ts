// Postgres schema tooling: versioned migrations and throwaway test databases.
export {
  defaultMigrationsDir,
  MIGRATION_LOCK_KEY,
  type MigrateOptions,
  type MigrateResult,
  MigrationError,
  type MigrationErrorCode,
  type MigrationFile,
  migrate,
  readMigrations,
} from './migrate';
export {
  createTestDatabase,
  type TestDatabase,
  type TestDatabaseOptions,
} from './test-database';
