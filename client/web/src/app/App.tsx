/** The root: the auth screen, or a controller for the logged-in session. */
import { useEffect, useMemo, useState } from "preact/hooks";
import { Api, type User } from "../lib/sdk.ts";
import { clearSession, loadSession, saveSession, type SavedSession } from "../lib/session.ts";
import { AuthScreen } from "../components/AuthScreen.tsx";
import { Messenger } from "../components/Messenger.tsx";
import { ControllerContext } from "./context.ts";
import { Controller } from "./controller.ts";

function Session({ session, onSignedOut }: { session: SavedSession; onSignedOut(): void }) {
  const controller = useMemo(() => new Controller(session.user, session.token, onSignedOut), [session]);
  useEffect(() => {
    void controller.start();
    return () => controller.stop();
  }, [controller]);
  return (
    <ControllerContext.Provider value={controller}>
      <Messenger />
    </ControllerContext.Provider>
  );
}

export function App() {
  const [session, setSession] = useState<SavedSession | null>(loadSession);
  const api = useMemo(() => new Api({ baseUrl: location.origin }), []);
  if (!session) {
    return (
      <AuthScreen
        api={api}
        onAuthed={(token: string, user: User) => {
          const next = { token, user };
          saveSession(next);
          setSession(next);
        }}
      />
    );
  }
  return (
    <Session
      session={session}
      onSignedOut={() => {
        clearSession();
        setSession(null);
      }}
    />
  );
}
