// One pino root logger per process; components take a child so every line
// names where it came from. Never log inside the engine's match loop.
import pino, { type Logger } from 'pino';
import type { LogLevel } from './config';

let root: Logger | undefined;

export function rootLogger(level?: LogLevel, name = 'exchange'): Logger {
  if (root === undefined) {
    root = pino({
      name,
      level: level ?? (process.env.LOG_LEVEL as LogLevel | undefined) ?? 'info',
    });
  } else if (level !== undefined) {
    root.level = level;
  }
  return root;
}

export function componentLogger(component: string): Logger {
  return rootLogger().child({ component });
}

export type { Logger };
