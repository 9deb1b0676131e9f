/**
 * The app's whole state lives in one immutable object behind this store. SDK events and user actions
 * replace it with `set`; components read slices with `useSelector`, which re-renders only when the
 * selected value changes (`Object.is`), so selectors return existing references, not new objects.
 */
import { useEffect, useRef, useState } from "preact/hooks";

export interface Store<S> {
  get(): S;
  set(update: (state: S) => S): void;
  subscribe(listener: () => void): () => void;
}

export function createStore<S>(initial: S): Store<S> {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => state,
    set(update) {
      const next = update(state);
      if (next === state) return;
      state = next;
      for (const listener of [...listeners]) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export function useSelector<S, T>(store: Store<S>, select: (state: S) => T): T {
  const value = select(store.get());
  const [, rerender] = useState(0);
  const latest = useRef({ select, value });
  latest.current = { select, value };
  useEffect(
    () =>
      store.subscribe(() => {
        const { select: current, value: previous } = latest.current;
        if (!Object.is(current(store.get()), previous)) rerender((n) => n + 1);
      }),
    [store],
  );
  return value;
}
