/** How components reach the controller and read state: `useController()` and `useApp(selector)`. */
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { useSelector } from "../lib/tiny-store.ts";
import type { AppState } from "../state/types.ts";
import type { Controller } from "./controller.ts";

export const ControllerContext = createContext<Controller | null>(null);

export function useController(): Controller {
  const controller = useContext(ControllerContext);
  if (!controller) throw new Error("useController outside <ControllerContext.Provider>");
  return controller;
}

export function useApp<T>(select: (state: AppState) => T): T {
  return useSelector(useController().store, select);
}
