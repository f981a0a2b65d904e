// Fan-out across instances (issue 14 §4, ADR 0054). The event itself is always read from chat_events; a broker only
// carries notices "event <seq> of scope <key> committed" from the instance that wrote it to every instance, which
// then reads the rows and sends them to its local subscribers. A broker that may have lost notices (a dropped
// connection) says so with onResync, and the hub reads every followed scope again from its cursor.

/** "Event `seq` of scope `scopeKey` (room:<uuid> / user:<uuid>) committed." */
export interface ChatNotice {
  seq: string;
  scopeKey: string;
}

export interface BrokerHandlers {
  onNotices(notices: ChatNotice[]): void;
  /** Notices may have been lost: read every followed scope from the database again. */
  onResync(): void;
  onError(error: Error): void;
}

export interface ChatBroker {
  readonly name: 'postgres' | 'nats';
  start(handlers: BrokerHandlers): Promise<void>;
  /** The hub follows a scope now (first local subscriber) or no longer (last one gone). */
  follow(scopeKey: string): void;
  unfollow(scopeKey: string): void;
  close(): Promise<void>;
}

/** Parses the NOTIFY payload written by appendChatEvent: `<seq> <scopeKey>`. */
export function parseNotice(payload: string): ChatNotice | null {
  const match = /^([0-9]{1,19}) ((?:room|user):[0-9a-f-]{36})$/.exec(payload);
  return match ? { seq: match[1]!, scopeKey: match[2]! } : null;
}
