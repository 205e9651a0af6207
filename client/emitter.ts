// A small typed event emitter: listener arrays per event, no string lookups
// through prototype chains, and a throwing listener never breaks the client's
// own message processing (the error is re-emitted as 'error').

// biome-ignore lint/suspicious/noExplicitAny: listener parameter lists are checked per event map
type AnyListener = (...args: any[]) => void;

/** Event name -> listener signature. */
export type EventMap<E> = { [K in keyof E]: AnyListener };

/** Typed emitter used by {@link ExchangeClient}. */
export class TypedEmitter<E extends EventMap<E>> {
  private readonly listeners: { [K in keyof E]?: E[K][] } = {};

  /** Adds a listener. */
  on<K extends keyof E>(event: K, listener: E[K]): this {
    const list = this.listeners[event];
    if (list === undefined) this.listeners[event] = [listener];
    else list.push(listener);
    return this;
  }

  /** Adds a listener removed after its first call. */
  once<K extends keyof E>(event: K, listener: E[K]): this {
    const wrapper = ((...args: Parameters<E[K]>) => {
      this.off(event, wrapper);
      listener(...args);
    }) as E[K];
    return this.on(event, wrapper);
  }

  /** Removes a listener (the first registration of that function). */
  off<K extends keyof E>(event: K, listener: E[K]): this {
    const list = this.listeners[event];
    if (list === undefined) return this;
    const i = list.indexOf(listener);
    if (i >= 0) {
      // Copy on write, so an emit in progress keeps iterating the old array.
      const next = list.slice();
      next.splice(i, 1);
      this.listeners[event] = next;
    }
    return this;
  }

  /** Number of listeners of an event. */
  listenerCount<K extends keyof E>(event: K): number {
    return this.listeners[event]?.length ?? 0;
  }

  /** Calls the listeners; returns whether there were any. */
  protected emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): boolean {
    const list = this.listeners[event];
    if (list === undefined || list.length === 0) return false;
    for (let i = 0; i < list.length; i++) {
      try {
        list[i]!(...args);
      } catch (err) {
        if (event === 'error') {
          // Nowhere left to report it: surface it outside the client's stack.
          queueMicrotask(() => {
            throw err;
          });
        } else {
          (this.emit as (event: string, ...args: unknown[]) => boolean)('error', err);
        }
      }
    }
    return true;
  }
}
