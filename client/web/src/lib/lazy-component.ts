/**
 * A component fetched when it is first rendered (a separate chunk), for screens only some visits
 * need: the first load of the app stays small. Renders nothing until its code has arrived, which
 * on a cached or fast connection is a frame or two.
 */
import { h, type ComponentType, type FunctionComponent } from "preact";
import { useEffect, useState } from "preact/hooks";

export function lazyComponent<P extends object>(load: () => Promise<ComponentType<P>>): FunctionComponent<P> {
  let loaded: ComponentType<P> | null = null;
  let loading: Promise<ComponentType<P>> | null = null;
  return function Lazy(props: P) {
    const [component, setComponent] = useState<ComponentType<P> | null>(() => loaded);
    useEffect(() => {
      if (component) return;
      let live = true;
      loading ??= load().then((c) => (loaded = c));
      loading.then(
        (c) => live && setComponent(() => c),
        () => (loading = null), // offline before it was ever fetched: tried again on the next render
      );
      return () => void (live = false);
    }, []);
    return component ? h(component, props) : null;
  };
}
