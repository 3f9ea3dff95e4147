/**
 * The one connection per process on which LISTEN runs, whichever database: the bus asks it
 * to listen and stop listening, one request at a time, and hears back through these calls.
 */
export interface ListeningConnection {
  listen(channel: string): Promise<void>;
  unlisten(channel: string): Promise<void>;
  close(): Promise<void>;
}

export interface ConnectionEvents {
  notification(channel: string, payload: string): void;
  /**
   * The connection was lost and a new one LISTENs on every channel again: anything
   * published in between was not heard, so subscribers must catch up from the database.
   */
  reconnected(): void;
}

export interface EventLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const silentLog: EventLog = { warn: () => undefined, error: () => undefined };
